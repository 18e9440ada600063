"""`python -m mutation` (`make mutation`): mutate the reference with mutmut, run the suite per mutant, classify.

Steps: (1) a fresh work folder mutation/.work holding links to the package, its data and mutation/setup.cfg
(mutmut's configuration); (2) the probe's baseline from the unmutated reference, run twice to prove it
deterministic; (3) `mutmut run` in the work folder under a time budget (SIGINT, then SIGKILL of its process
group, when it runs out); (4) mutmut's verdicts, the harness's records and mutmut's diffs merged, classified
(`mutation.results`) and written to mutation/results.json, with a summary on stdout.

Exit 0: every mutant measured; 1: the budget ran out first (partial results written; `--resume` measures the
rest in another run); 2: could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from mutation import results as classification

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
FILES = ("app.py", "store.py", "render.py", "sigv4.py")
LINKS = {
    "conformance": ROOT / "conformance",
    "schemas": ROOT / "schemas",
    "fixtures": ROOT / "fixtures",
    "baselines": ROOT / "baselines",
    "harness": HERE / "harness",
    "setup.cfg": HERE / "setup.cfg",
}
COLLECT_RESERVE_S = 60  # kept from the budget for reading mutmut's results and writing ours


class CouldNotRun(Exception):
    pass


def prepare(work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    (work / "records").mkdir(parents=True)
    for name, target in LINKS.items():
        (work / name).symlink_to(target)


def write_baseline(path: Path) -> int:
    """The probe against two fresh unmutated references; they must agree. Returns the probe's request count."""
    from conformance.reference import Flavour, ReferenceApp
    from mutation import probe

    first = probe.run_probe(ReferenceApp(Flavour()))
    if first.problem:
        raise CouldNotRun(f"the probe cannot run against the reference: {first.problem}")
    again = probe.run_probe(ReferenceApp(Flavour()), expected=first.steps)
    if again.difference is not None:
        raise CouldNotRun(f"the probe is not deterministic: {json.dumps(again.difference.as_dict())[:800]}")
    path.write_text(json.dumps([s.as_dict() for s in first.steps], ensure_ascii=False), encoding="utf-8")
    return len(first.steps)


def run_mutmut(work: Path, workers: int, patterns: list[str], budget_s: float) -> tuple[int | None, float, float]:
    """`mutmut run` in `work`: its exit code (None when stopped at the budget), seconds, the machine's mean load
    average meanwhile (other work on the machine slows every mutant down)."""
    mutmut = Path(sys.executable).with_name("mutmut")
    env = dict(
        os.environ,
        MUTATION_RECORDS=str(work / "records"),
        MUTATION_BASELINE=str(work / "baseline.json"),
        # mutmut's own pytest sessions (one per mutant) need no plugin from the environment; the suite's
        # session names the plugins it uses (conformance.cli does the same)
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    started = time.monotonic()
    with open(work / "mutmut.log", "w") as log:
        process = subprocess.Popen(
            [str(mutmut), "run", "--max-children", str(workers), *patterns],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        next_report = started + 60
        loads = [os.getloadavg()[0]]
        while process.poll() is None:
            now = time.monotonic()
            if now - started > budget_s:
                print(f"mutation: time budget reached after {now - started:.0f} s; stopping mutmut", flush=True)
                _stop(process)
                return None, time.monotonic() - started, sum(loads) / len(loads)
            if now >= next_report:
                done = len(list((work / "records").glob("*.json")))
                loads.append(os.getloadavg()[0])
                print(
                    f"mutation: {now - started:.0f} s, {done} mutants measured, load average {loads[-1]:.1f}",
                    flush=True,
                )
                next_report = now + 60
            time.sleep(1)
    return process.returncode, time.monotonic() - started, sum(loads) / len(loads)


def _stop(process: subprocess.Popen) -> None:
    """SIGINT first (mutmut stops its workers and saves what it has), SIGKILL to the group if that is not enough."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()


@contextmanager
def _inside(folder: Path):
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def collect(work: Path) -> list[dict]:
    """One entry per mutant mutmut generated: its verdict, the harness record, the diff for non-killed ones."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    mutants = []
    with _inside(work):
        for name in FILES:
            source = f"conformance/reference/{name}"
            meta = json.loads(Path(f"mutants/{source}.meta").read_text(encoding="utf-8"))
            durations = meta.get("durations_by_key", {})
            for mutant, exit_code in sorted(meta["exit_code_by_key"].items()):
                record_path = Path("records") / f"{mutant}.json"
                record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else None
                status, note = classification.classify(exit_code, record)
                entry = {
                    "name": mutant,
                    "number": int(mutant.rpartition("_")[2]),
                    "file": source,
                    "function": classification.function_of(mutant),
                    "status": status,
                    "note": note,
                    "mutmut_exit_code": exit_code,
                    "seconds": durations.get(mutant),
                    "suite": (record or {}).get("suite"),
                    "probe": (record or {}).get("probe"),
                }
                entry["wire"] = classification.wire_scope(entry["probe"]) if status.startswith("survived") else None
                if status != "killed":
                    try:
                        diff = get_diff_for_mutant(mutant, path=source)
                    except Exception as exc:  # a diff is a convenience; the verdict stands without it
                        diff = f"(no diff: {exc})"
                    entry["diff"], entry["change"] = diff, classification.changed_lines(diff)
                mutants.append(entry)
    return mutants


def build_results(
    mutants: list[dict], started: float, mutmut_s: float, workers: int, seed: int, profile: str, probe_requests: int
) -> dict:
    from importlib.metadata import version

    counts = {status: 0 for status in classification.STATUSES}
    for mutant in mutants:
        counts[mutant["status"]] += 1
    accepted = {
        f"{entry['function']}: {entry['change']}": entry["reason"]
        for entry in json.loads((HERE / "accepted.json").read_text(encoding="utf-8"))["accepted"]
    }
    for mutant in mutants:
        mutant["outside_contract"] = classification.outside_contract(mutant, accepted)
    probed = [m for m in mutants if m["status"] == "killed" and m.get("probe")]
    seen = sum(1 for m in probed if m["probe"].get("difference"))
    return {
        "tool": f"mutmut {version('mutmut')}",
        "files": list(FILES),
        "profile": profile,
        "seed": seed,
        "workers": workers,
        "wall_seconds": round(time.monotonic() - started, 1),
        "mutmut_seconds": round(mutmut_s, 1),
        "per_mutant_seconds": classification.durations([m["seconds"] for m in mutants if m["seconds"]]),
        "suite_seconds": classification.durations([m["suite"]["seconds"] for m in mutants if m.get("suite")]),
        "probe_requests": probe_requests,
        "probe_power": {"probed": len(probed), "seen": seen},
        "counts": counts,
        "score": classification.score(counts),
        "contract_score": classification.contract_score(mutants),
        "mutants": mutants,
    }


def _history(path: Path, results: dict, resumed: bool, load: float) -> list[dict]:
    """Every invocation that measured into this work folder (more than one only with --resume)."""
    history = json.loads(path.read_text(encoding="utf-8")) if resumed and path.exists() else []
    measured = sum(n for status, n in results["counts"].items() if status != "not_run")
    history.append(
        {
            "wall_seconds": results["wall_seconds"],
            "mutmut_seconds": results["mutmut_seconds"],
            "measured_after": measured,
            "resumed": resumed,
            "mean_load_average": round(load, 1),
        }
    )
    path.write_text(json.dumps(history), encoding="utf-8")
    return history


def main(argv: list[str] | None = None) -> int:
    from mutation.suite_run import PROFILE, SEED

    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.splitlines()[0])
    parser.add_argument("--budget-minutes", type=float, default=29.0, help="whole-run time budget (default 29)")
    parser.add_argument("--workers", type=int, default=2, help="mutants at a time (default 2)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="results file")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep mutation/.work: mutants measured by an earlier run (stopped at its budget) keep "
        "their verdicts and only the rest run; the sources must be unchanged since",
    )
    parser.add_argument("mutants", nargs="*", help="mutmut name patterns to run only those (default: all)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if args.resume and (WORK / "mutants").is_dir():
            print("mutation: resuming in mutation/.work (earlier verdicts kept)", flush=True)
        else:
            prepare(WORK)
        probe_requests = write_baseline(WORK / "baseline.json")
        print(
            f"mutation: probe baseline of {probe_requests} requests, deterministic over two fresh references",
            flush=True,
        )
        budget_s = args.budget_minutes * 60 - (time.monotonic() - started) - COLLECT_RESERVE_S
        code, mutmut_s, load = run_mutmut(WORK, args.workers, args.mutants, budget_s)
        if code not in (0, None):
            tail = (WORK / "mutmut.log").read_text(errors="replace")[-1500:]
            raise CouldNotRun(f"mutmut exited {code}; the end of {WORK / 'mutmut.log'}:\n{tail}")
        mutants = collect(WORK)
    except CouldNotRun as exc:
        print(f"mutation: could not run: {exc}", file=sys.stderr)
        return 2
    if args.mutants:  # a partial run names only the mutants it was asked for
        mutants = [m for m in mutants if m["status"] != "not_run"]
    results = build_results(mutants, started, mutmut_s, args.workers, SEED, PROFILE, probe_requests)
    results["invocations"] = _history(WORK / "invocations.json", results, args.resume, load)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print("\n".join(classification.summary_lines(results)))
    print(f"mutation: results in {args.out}")
    return 1 if results["counts"]["not_run"] else 0
