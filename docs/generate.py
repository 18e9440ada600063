"""`make docs` (after the screenshots): every output shown in README.md and docs/*.md, produced by running it.

A region `<!-- generated: NAME -->` ... `<!-- /generated -->` is filled with the output of the recipe NAME, as a
```text block. Recipes run the real commands (the suite against the embedded moto and the reference IAM, `compare`,
`matrix`, `--help`, ...) or read what a longer command left behind (`make bench`'s bench/results.json, `make
selftest`'s reports/selftest.txt, `make mutation`'s results); a recipe whose input is missing leaves its region as it
is and says so. Paths of this machine are shown relative to the checkout.

`--check`: rewrite nothing; exit 1 when a region of a deterministic recipe (one whose output does not depend on the
run: --help, the baselines, the requirements table) is stale, or when a text block lies outside any region.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]
REGION = re.compile(r"(<!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S)
TEXT_BLOCK = re.compile(r"^```text\n.*?^```\n", re.S | re.M)
SHOWN_FAILURES = 3  # requirements shown in full in the make run excerpt


class Missing(Exception):
    """A recipe's input is not there (a longer command was not run on this machine)."""


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        timeout=900,
    )
    return _here(done.stdout + done.stderr)


def _here(text: str) -> str:
    """Paths of this machine as the reader's: relative to the checkout."""
    return text.replace(str(ROOT) + "/", "./").replace(tempfile.gettempdir() + "/", "/tmp/").rstrip() + "\n"


def make_run() -> str:
    """`make run`'s command, its output cut after the first failures."""
    with tempfile.TemporaryDirectory() as reports:
        lines = cli("run", "--baseline", "moto", "--report-dir", reports).splitlines()
    lines = [line.replace(reports, "reports") for line in lines]
    table_end = next(i for i, line in enumerate(lines) if line.startswith("auth "))
    details = lines[table_end + 1 : -2]
    shown = details[: 2 * SHOWN_FAILURES]
    cut = f"  ... ({len(details) - len(shown)} more lines: every known deviation with its broken expectation)"
    return "\n".join(lines[: table_end + 1] + shown + ([cut] if len(details) > len(shown) else []) + lines[-2:]) + "\n"


def run_help() -> str:
    return cli("run", "--help")


def baselines() -> str:
    return cli("baselines")


def requirements() -> str:
    from conformance.contract.spec import requirements as catalogue

    rows = ["| id | category | evidence | requirement |", "|---|---|---|---|"]
    rows += [f"| {r.id} | {r.category} | {r.evidence} | {r.title} |" for r in catalogue().values()]
    return "\n".join(rows) + "\n"


def _runs(work: Path) -> tuple[Path, Path]:
    """The conformant reference and the embedded moto, one run each, standard profile."""
    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer

    with ReferenceServer() as server:
        cli(
            "run",
            "--endpoint-url",
            server.url,
            "--report-dir",
            str(work / "reference"),
            env={"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY},
        )
    cli("run", "--baseline", "moto", "--report-dir", str(work / "moto"))
    return work / "reference", work / "moto"


def compare() -> str:
    with tempfile.TemporaryDirectory() as work:
        reference, moto = _runs(Path(work))
        lines = cli("compare", str(reference), str(moto)).replace(work, "reports").splitlines()
    return "\n".join(lines[:2] + lines[2:6] + ["..."] + lines[-1:]) + "\n"


def matrix() -> str:
    with tempfile.TemporaryDirectory() as work:
        reference, moto = _runs(Path(work))
        out = cli(
            "matrix",
            str(reference),
            str(moto),
            "--label",
            "reference",
            "--label",
            "moto",
            "--out",
            str(Path(work) / "matrix"),
        )
        return out.replace(work, "reports")


def localstack() -> str:
    recorded = ROOT / "docs" / "localstack-2026.3.0-run.txt"
    return _here("\n".join(recorded.read_text(encoding="utf-8").rstrip().splitlines()[-2:]))


def bench() -> str:
    results = ROOT / "bench" / "results.json"
    if not results.is_file():
        raise Missing("no bench/results.json: run `make bench` first")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--summary", str(results)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return _here(done.stdout)


def selftest() -> str:
    log = ROOT / "reports" / "selftest.txt"
    if not log.is_file():
        raise Missing("no reports/selftest.txt: run `make selftest` first")
    return log.read_text(encoding="utf-8").rstrip().splitlines()[-1] + "\n"


def _mutation_results() -> dict:
    results = ROOT / "mutation" / "results.json"
    if not results.is_file():
        raise Missing("no mutation/results.json: run `make mutation` first")
    found: dict = json.loads(results.read_text(encoding="utf-8"))
    if found.get("partial"):
        raise Missing("mutation/results.json holds a run of some mutants only: run `make mutation`")
    return found


def mutation() -> str:
    from mutation.results import summary_lines

    return "\n".join(summary_lines(_mutation_results())) + "\n"


def mutation_score() -> str:
    """The score, recomputed from the committed per-mutant results (never copied from a summary)."""
    from mutation.results import score, score_line

    scored = score(_mutation_results()["mutants"])
    excluded = ", ".join(f"{reason} {n}" for reason, n in scored["excluded"].items())
    return f"{score_line(scored)}\nexcluded, by reason: {excluded}\n"


@functools.cache
def _diffed() -> tuple[str, dict[str, Any]]:
    """A faulty reference (MaxItems ignored) held to the shipped recording: the console and diff.json."""
    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer
    from conformance.selftest.faults import by_name

    env = {"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY}
    with tempfile.TemporaryDirectory() as work, ReferenceServer(app=by_name("max_items_ignored").build()) as server:
        args = ("diff", "--recording", "reference-standard", "--endpoint-url", server.url, "--report-dir", work)
        console = cli(*args, env=env).replace(work, "reports")
        found = json.loads((Path(work) / "diff.json").read_text(encoding="utf-8"))
    return console, found


def diff() -> str:
    """`iam-conformance diff` against that faulty reference: its console, cut after the first lines of each kind."""
    lines = _diffed()[0].splitlines()
    contract = [line for line in lines if line.startswith("contract ")]
    behaviour = [line for line in lines if line.startswith("behaviour ")]
    shown = lines[:1] + contract[:4] + ["..."] + behaviour[:4] + ["..."] + lines[-2:]
    return "\n".join(shown) + "\n"


def diff_json() -> str:
    """The first contract difference of that diff, as diff.json holds it (the answers' bodies cut)."""
    found = _diffed()[1]
    request = next(r for r in found["differences"] if r["class"] == "contract")
    for side in ("recorded", "new"):
        body = request[side]["body"]
        request[side]["body"] = body if len(body) <= 160 else body[:160] + "…"
    request["findings"] = request["findings"][:1]
    request["differences"] = request["differences"][:2]
    return json.dumps(request, indent=2, ensure_ascii=False) + "\n"


def diff_help() -> str:
    return cli("diff", "--help")


RECIPES: dict[str, Callable[[], str]] = {
    "make-run": make_run,
    "run-help": run_help,
    "baselines": baselines,
    "requirements": requirements,
    "compare": compare,
    "matrix": matrix,
    "localstack": localstack,
    "bench": bench,
    "selftest": selftest,
    "mutation": mutation,
    "mutation-score": mutation_score,
    "diff": diff,
    "diff-json": diff_json,
    "diff-help": diff_help,
}
DETERMINISTIC = ("run-help", "baselines", "requirements", "mutation-score", "diff-help")
TABLES = ("requirements",)  # markdown, not a text block


def block(name: str, output: str) -> str:
    return output if name in TABLES else f"```text\n{output}```\n"


def outside_regions(text: str) -> list[str]:
    """The text blocks of a page that no recipe produced."""
    return [match.group()[:60] for match in TEXT_BLOCK.finditer(REGION.sub("", text))]


class Filler:
    """Fills the regions of every page, running each chosen recipe once."""

    def __init__(self, chosen: list[str], check: bool) -> None:
        self.chosen, self.check = chosen, check
        self.cache: dict[str, str | None] = {}
        self.problems: list[str] = []

    def page(self, page: Path) -> None:
        text = page.read_text(encoding="utf-8")
        self.problems += [f"{page.name}: a text block outside a generated region: {b!r}" for b in outside_regions(text)]
        filled = REGION.sub(lambda match: self.region(page, match), text)
        if filled != text and not self.check:
            page.write_text(filled, encoding="utf-8")
            print(f"docs: {page.relative_to(ROOT)} written")

    def region(self, page: Path, match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in RECIPES:
            self.problems.append(f"{page.name}: no recipe {name!r}")
            return match.group()
        if name not in self.chosen:
            return match.group()
        if name not in self.cache:
            try:
                self.cache[name] = block(name, RECIPES[name]())
            except Missing as missing:
                print(f"docs: {name} left as it is: {missing}")
                self.cache[name] = None
        output = self.cache[name]
        if output is None:
            return match.group()
        if self.check and match.group("body") != output:
            self.problems.append(f"{page.name}: region {name} is stale: run `python docs/generate.py {name}`")
        return match.group(1) + output + match.group(4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 on a stale or hand-typed block")
    parser.add_argument("recipes", nargs="*", help="only these recipes (default: all)")
    args = parser.parse_args(argv)
    filler = Filler(args.recipes or (list(DETERMINISTIC) if args.check else list(RECIPES)), args.check)
    for page in PAGES:
        filler.page(page)
    for problem in filler.problems:
        print(f"docs: {problem}", file=sys.stderr)
    return 1 if filler.problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # mutation/ of this checkout
    sys.exit(main())
