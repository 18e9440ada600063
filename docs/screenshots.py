"""`make docs`: the README's screenshots, taken in headless Chromium from real runs of the suite.

- docs/report.png: the first screen (1366x768) of report.html of a run against the embedded moto, gated by its
  bundled baseline: the verdict, the gate and the known deviations, one line each;
- docs/report-failures.png: report.html of a run against the reference IAM with one catalogued fault, at 1366x768,
  scrolled to its failure with everything in it expanded (request and response included);
- docs/matrix.png: `iam-conformance matrix` over those runs and the conformant reference (and a LocalStack you
  started, with --localstack-url).

The runs' reports stay in --work (default reports/docs/) for a look behind the pictures. Exit 0: screenshots
written; 1: a run did not end as its screenshot says it does (nothing is replaced); 2: could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULT = "max_items_ignored"  # one honest mistake (MaxItems ignored): its evidence reads at a glance
LOCALSTACK_BASELINE = "localstack-2026.3.0"
FAILURES_HEADING = "Failures"  # report.html's <h2>Failures (N)</h2> of a run without a baseline
WIDTH, HEIGHT = 1366, 768  # a laptop's screen: the report's first screen must hold the news
OWN_FOLDERS = {"reference", "moto", "faulty", "localstack", "matrix", "pictures"}
# Those of tests/test_reports.py: no network, no first-run or background work, a throw-away profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
)


class DocsError(Exception):
    """The screenshots cannot be made; `code` is the exit code (1: a run ended otherwise than expected, 2: other)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Planned:
    """One run of the suite: its column label, folder name, `run` options, credentials and the exit it must give."""

    label: str
    folder: str
    options: tuple[str, ...]
    credentials: tuple[str, str] | None
    expected_exit: int


@dataclass(frozen=True)
class Finished:
    planned: Planned
    report_dir: Path
    summary: dict
    verdict_line: str


def plan(localstack_url: str | None) -> list[Planned]:
    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY

    root = (ROOT_ACCESS_KEY, ROOT_SECRET_KEY)
    runs = [
        Planned("reference IAM (conformant)", "reference", (), root, 0),
        Planned("embedded moto, --baseline moto", "moto", ("--baseline", "moto"), None, 0),
        Planned(f"reference with one fault ({FAULT})", "faulty", (), root, 1),
    ]
    if localstack_url:  # LocalStack accepts any key
        runs.append(
            Planned(
                f"LocalStack, --baseline {LOCALSTACK_BASELINE}",
                "localstack",
                ("--endpoint-url", localstack_url, "--baseline", LOCALSTACK_BASELINE),
                ("test", "test"),
                0,
            )
        )
    return runs


def run_suite(planned: Planned, work: Path, seed: int, profile: str, endpoint: str | None) -> Finished:
    """`iam-conformance run` for real, in a subprocess with only the credentials it is meant to use."""
    report_dir = work / planned.folder
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if planned.credentials:
        env |= {"AWS_ACCESS_KEY_ID": planned.credentials[0], "AWS_SECRET_ACCESS_KEY": planned.credentials[1]}
    target = ("--endpoint-url", endpoint) if endpoint else ()
    command = [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        *target,
        *planned.options,
        "--report-dir",
        str(report_dir),
        "--seed",
        str(seed),
        "--profile",
        profile,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work, timeout=900)
        summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise DocsError(f"the run against {planned.label} left no readable summary ({exc})") from None
    verdict = next((line for line in done.stdout.splitlines() if line.startswith("verdict:")), "no verdict line")
    if done.returncode != planned.expected_exit:
        raise DocsError(
            f"the run against {planned.label} exited {done.returncode}, not {planned.expected_exit}: {verdict}", code=1
        )
    return Finished(planned, report_dir, summary, verdict)


def run_all(work: Path, seed: int, profile: str, localstack_url: str | None) -> list[Finished]:
    from conformance.reference import ReferenceServer
    from conformance.selftest.faults import by_name

    finished = []
    for planned in plan(localstack_url):
        with ExitStack() as stack:
            server = None
            if planned.folder == "reference":
                server = stack.enter_context(ReferenceServer())
            elif planned.folder == "faulty":
                server = stack.enter_context(ReferenceServer(app=by_name(FAULT).build()))
            finished.append(run_suite(planned, work, seed, profile, server.url if server else None))
        if planned.folder == "faulty":  # the picture of failures must show the fault's own requirement failing
            primary = by_name(FAULT).primary
            statuses = {row["id"]: row["status"] for row in finished[-1].summary["requirements"]}
            if statuses.get(primary) != "failed":
                raise DocsError(f"the run against {planned.label} did not fail {primary}", code=1)
        print(f"{planned.label}: {finished[-1].verdict_line}; {finished[-1].summary['request_count']} requests")
    return finished


# A page of the window's size showing report.html in a frame scrolled to a section, every <details> of the section's
# failures opened (a fragment given to --screenshot leaves a blank picture). No such section: a console error, which
# fails the screenshot.
SECTION_VIEW = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="{page}" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {{
  var heading = Array.from(this.contentDocument.querySelectorAll("h2")).find(function (h) {{
    return h.textContent.indexOf({heading}) === 0; }});
  if (!heading) {{ console.error("no section " + {heading} + " in {page}"); return; }}
  this.contentDocument.querySelectorAll("section.failure details:not(.whole)").forEach(function (d) {{
    d.open = true; }});
  this.contentWindow.scrollTo(0, heading.getBoundingClientRect().top + this.contentWindow.scrollY - 16);
}});
</script></body></html>
"""


def screenshot(chromium: str, page: Path, png: Path, width: int, height: int, section: str = "") -> None:
    """Render `page` in headless Chromium into `png`, from its top or from its <h2> starting with `section`."""
    flags = [f"--window-size={width},{height}", f"--screenshot={png}"]
    if section:
        view = page.with_name("section-view.html")
        view.write_text(
            SECTION_VIEW.format(page=page.name, width=width, height=height, heading=json.dumps(section)),
            encoding="utf-8",
        )
        page, flags = view, flags + ["--allow-file-access-from-files"]  # the view reads the frame's headings
    with tempfile.TemporaryDirectory() as profile:
        try:
            done = subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, page.as_uri()],
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            raise DocsError(f"chromium did not render {page} within 120 s") from None
    problems = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    if done.returncode != 0 or not png.is_file() or problems:
        raise DocsError(
            f"chromium could not render {page} cleanly (exit {done.returncode}"
            + (f": {problems[0]}" if problems else "")
            + ")"
        )


def build_matrix(finished: list[Finished], work: Path) -> Path:
    out = work / "matrix"
    labels = [argument for run in finished for argument in ("--label", run.planned.label)]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "matrix",
            *(str(r.report_dir) for r in finished),
            "--out",
            str(out),
            *labels,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise DocsError(f"iam-conformance matrix failed: {done.stderr.strip()}")
    print(done.stdout.strip().splitlines()[-1])
    return out / "matrix.html"


def make(out: Path, work: Path, seed: int, profile: str, localstack_url: str | None) -> list[Path]:
    if work.exists():
        foreign = sorted(set(os.listdir(work)) - OWN_FOLDERS)
        if foreign:  # never empty a folder this script did not fill
            raise DocsError(f"{work} holds {', '.join(foreign[:3])}: not a folder of `make docs`; give another --work")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise DocsError("chromium is not installed (apt-get install chromium)")
    if work.exists():
        shutil.rmtree(work)  # the runs of an earlier `make docs`
    work.mkdir(parents=True)
    finished = {run.planned.folder: run for run in run_all(work, seed, profile, localstack_url)}
    matrix = build_matrix(list(finished.values()), work)
    pictures = work / "pictures"
    pictures.mkdir()
    screenshot(chromium, finished["moto"].report_dir / "report.html", pictures / "report.png", WIDTH, HEIGHT)
    screenshot(
        chromium,
        finished["faulty"].report_dir / "report.html",
        pictures / "report-failures.png",
        WIDTH,
        HEIGHT,
        section=FAILURES_HEADING,
    )
    screenshot(chromium, matrix, pictures / "matrix.png", 1440 if localstack_url else 1280, 1300)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for picture in sorted(pictures.iterdir()):  # replaced only once all three are made
        written.append(Path(shutil.copyfile(picture, out / picture.name)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go (default: docs/)")
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "reports" / "docs",
        help="the runs' report folders, emptied first (default: reports/docs/)",
    )
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis seed of every run (default: 1)")
    parser.add_argument("--profile", default="standard", choices=("quick", "standard", "thorough"))
    parser.add_argument("--localstack-url", help="also run against this LocalStack 2026.3.0 (a matrix column)")
    args = parser.parse_args(argv)
    try:
        for path in make(args.out, args.work, args.seed, args.profile, args.localstack_url):
            print(f"wrote {path}")
    except DocsError as exc:
        print(f"docs: {exc}", file=sys.stderr)
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
