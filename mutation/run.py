"""`python -m mutation` (`make mutation`): mutate the reference with mutmut, run the suite per mutant, classify.

Steps: (1) a fresh work folder mutation/.work holding links to the package, its data and mutation/setup.cfg
(mutmut's configuration); (2) the probe's baseline from the unmutated reference, run twice to prove it
deterministic; (3) `mutmut run` in the work folder under a time budget (SIGINT, then SIGKILL of its process
group, when it runs out); (4) mutmut's verdicts, the harness's records and mutmut's diffs merged, classified
(`mutation.results`) and written to mutation/results.json (committed: one mutant a line), the score first in the
summary on stdout. A run of some mutants (name patterns) writes mutation/.work/partial-results.json instead.

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
KILLED_BY_SHOWN = 3


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
    """One entry per mutant mutmut generated: its id, diff and change, its outcome (mutation.results.classify), the
    requests that killed it, and for the others what the probe saw."""
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
                suite, probe = (record or {}).get("suite"), (record or {}).get("probe")
                try:
                    diff = get_diff_for_mutant(mutant, path=source)
                except Exception as exc:  # a diff is a convenience; the verdict stands without it
                    diff = f"(no diff: {exc})"
                entry = {
                    "id": mutant,
                    "number": int(mutant.rpartition("_")[2]),
                    "file": source,
                    "function": classification.function_of(mutant),
                    "change": classification.changed_lines(diff),
                    "diff": diff,
                    **classification.classify(exit_code, record),
                    "mutmut_exit_code": exit_code,
                    "seconds": durations.get(mutant),
                    "failed": (suite or {}).get("failed", []),
                    # the first few requirements' killing requests (every failed requirement is in `failed`)
                    "killed_by": (suite or {}).get("killed_by", [])[:KILLED_BY_SHOWN],
                }
                if entry["outcome"] == "killed":  # a sample of kills is probed too: whether the probe saw it
                    entry["probe_saw_it"] = None if probe is None else probe.get("difference") is not None
                else:
                    entry["probe"] = probe
                mutants.append(entry)
    return mutants


def build_results(
    mutants: list[dict],
    started: float,
    mutmut_s: float,
    workers: int,
    seed: int,
    profile: str,
    probe_requests: int,
    command: str,
) -> dict:
    from importlib.metadata import version

    accepted = {
        f"{entry['function']}: {entry['change']}": entry["reason"]
        for entry in json.loads((HERE / "accepted.json").read_text(encoding="utf-8"))["accepted"]
    }
    classification.exclude_outside_contract(mutants, accepted)
    probed = [m for m in mutants if m.get("probe_saw_it") is not None]
    return {
        "format": 2,
        "tool": f"mutmut {version('mutmut')}",
        "command": command,
        "files": list(FILES),
        "profile": profile,
        "seed": seed,
        "seeds": {
            "suite": f"Hypothesis seed {seed} (--seed), the same examples for every mutant",
            "probe": "none: a fixed request sequence (mutation/probe_steps.py)",
        },
        "workers": workers,
        "wall_seconds": round(time.monotonic() - started, 1),
        "mutmut_seconds": round(mutmut_s, 1),
        "per_mutant_seconds": classification.durations([m["seconds"] for m in mutants if m["seconds"]]),
        "probe_requests": probe_requests,
        "probe_power": {"probed": len(probed), "seen": sum(1 for m in probed if m["probe_saw_it"])},
        "score": classification.score(mutants),
        "mutants": mutants,
    }


def dumped(results: dict) -> str:
    """The results as JSON, one mutant a line: a new run's diff against the committed file reads mutant by mutant."""
    head = {k: v for k, v in results.items() if k != "mutants"}
    lines = [json.dumps(m, ensure_ascii=False, sort_keys=True) for m in results["mutants"]]
    body = json.dumps({**head, "mutants": []}, indent=1, ensure_ascii=False)
    return body.replace('"mutants": []', '"mutants": [\n  ' + ",\n  ".join(lines) + "\n ]") + "\n"


def _history(path: Path, results: dict, resumed: bool, load: float) -> list[dict]:
    """Every invocation that measured into this work folder (more than one only with --resume)."""
    history = json.loads(path.read_text(encoding="utf-8")) if resumed and path.exists() else []
    measured = results["score"]["total"] - results["score"]["not_run"]
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
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default: mutation/results.json, the committed one, for a run of every mutant; "
        "mutation/.work/partial-results.json for a run of some)",
    )
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
        mutants = [m for m in mutants if m["outcome"] != "not_run"]
    command = " ".join(["python -m mutation", *(argv if argv is not None else sys.argv[1:])])
    results = build_results(mutants, started, mutmut_s, args.workers, SEED, PROFILE, probe_requests, command)
    results["partial"] = bool(args.mutants)  # only a run of every mutant may stand for the score
    results["invocations"] = _history(WORK / "invocations.json", results, args.resume, load)
    out = args.out or (WORK / "partial-results.json" if args.mutants else HERE / "results.json")
    out.write_text(dumped(results), encoding="utf-8")
    print("\n".join(classification.summary_lines(results)))
    print(f"mutation: results in {out}")
    return 1 if results["score"]["not_run"] else 0
