"""`iam-conformance matrix DIR...`: requirement x implementation as JSON and self-contained HTML, in a real browser."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
from support.run_summaries import failure, requirement, summary, write

from conformance.reference import Flavour, ReferenceApp, ReferenceServer
from conformance.results.matrix import build, labels_for
from conformance.results.summary_file import SummaryError, load

CHROMIUM = shutil.which("chromium")


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", "matrix", *map(str, args)], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def three_runs(tmp_path):
    """A conformant reference, a moto-like run with a known deviation (format 2), an old format-1 run lacking a
    requirement the others have, and nothing else."""
    reference = write(
        tmp_path / "reference",
        summary({"SHAPE-01": "passed", "PAG-02": "passed", "AUTH-01": "passed"}, target="reference"),
    )
    hostile = failure(actual="HTTP 200 <b>bold</b>", status=200, body="<ListSigningCertificatesResponse>")
    moto = write(
        tmp_path / "moto",
        summary(
            {"SHAPE-01": "passed"},
            target="embedded moto 5.2.5",
            baseline="moto",
            rows=[
                requirement("PAG-02", "failed", known="MaxItems is ignored", failures=[hostile]),
                requirement("AUTH-01", "untested", reason="no error response to judge"),
            ],
        ),
    )
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "failed"}, target="localstack", format=1))
    return [reference, moto, old]


def test_rows_are_the_union_of_catalogues_and_cells_follow_the_columns(three_runs):
    runs = [load(d) for d in three_runs]
    matrix = build(runs, labels_for(runs, None))
    assert [c["label"] for c in matrix["columns"]] == ["reference", "embedded moto 5.2.5", "localstack"]
    rows = {r["id"]: r for r in matrix["requirements"]}
    assert list(rows) == ["SHAPE-01", "PAG-02", "AUTH-01"]
    assert [c["status"] for c in rows["PAG-02"]["cells"]] == ["passed", "failed", "failed"]
    assert rows["PAG-02"]["cells"][1]["known_deviation"] == "MaxItems is ignored"
    assert rows["PAG-02"]["cells"][1]["failures"][0]["curl"].startswith("curl ")
    assert [c["status"] for c in rows["AUTH-01"]["cells"]] == ["passed", "untested", "absent"]
    assert rows["AUTH-01"]["cells"][1]["reason"] == "no error response to judge"
    assert {"passed": 1, "failed": 1, "untested": 1, "known deviations": 1}.items() <= matrix["columns"][1][
        "counts"
    ].items()


def test_labels_given_replace_targets_and_repeated_ones_are_told_apart(three_runs):
    runs = [load(three_runs[0])] * 3
    assert labels_for(runs, None) == ["reference", "reference (2)", "reference (3)"]
    assert labels_for(runs, ["a", "b", "c"]) == ["a", "b", "c"]
    with pytest.raises(SummaryError, match="2 --label values for 3 runs"):
        labels_for(runs, ["a", "b"])


def test_the_command_writes_json_and_html_and_says_where(three_runs, tmp_path):
    out = tmp_path / "out"
    done = cli(*three_runs, "--out", out, "--label", "ref", "--label", "moto", "--label", "ls-old")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("moto: 1 passed, 1 failed (1 known), 0 error, 1 not judged")
    assert f"3 requirements x 3 runs in {out / 'matrix.html'}" in done.stdout
    matrix = json.loads((out / "matrix.json").read_text(encoding="utf-8"))
    assert matrix["format"] == 1 and [c["label"] for c in matrix["columns"]] == ["ref", "moto", "ls-old"]
    html = (out / "matrix.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html  # what targets sent is escaped
    assert html.count("<details>") == 2  # the failures (moto's PAG-02, the old run's); reasons are shown as they are
    assert '<div class="reason">no error response to judge</div>' in html
    assert "known deviation: MaxItems is ignored" in html and "replay:" in html and "HTTP 200" in html
    assert not re.search(r"<[^>]*\s(src|href)=", html) and "@import" not in html  # nothing from the network


@pytest.mark.parametrize("problem", ["label count", "unreadable", "unwritable"])
def test_bad_input_exits_2_with_one_line(three_runs, tmp_path, problem):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = {
        "label count": [*three_runs, "--label", "x"],
        "unreadable": [*three_runs, tmp_path / "nowhere"],
        "unwritable": [*three_runs, "--out", blocker / "out"],
    }[problem]
    done = cli(*args)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert done.stderr.startswith("iam-conformance matrix: ")


def test_an_incomplete_run_is_marked_in_its_column(tmp_path):
    run = write(tmp_path / "cut", summary({"SHAPE-01": "passed"}, incomplete_reasons=("interrupted by SIGTERM",)))
    done = cli(run, "--out", tmp_path / "out")
    assert done.returncode == 0 and "incomplete; interrupted by SIGTERM" in done.stdout
    assert "incomplete</span>: interrupted by SIGTERM" in (tmp_path / "out" / "matrix.html").read_text()


class ListsEverythingOnOnePage(ReferenceApp):
    def page_size(self, max_items: int) -> int:
        return 1000


def test_end_to_end_three_implementations_render_in_chromium(tmp_path, root_credentials_env):
    """The reference, a reference that ignores MaxItems, and the embedded moto with its bundled baseline."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    folders = []
    for name, app in (("reference", None), ("no-paging", ListsEverythingOnOnePage(Flavour())), ("moto", "embedded")):
        folders.append(tmp_path / name)
        command = [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--profile",
            "quick",
            "--report-dir",
            str(folders[-1]),
        ]
        if app == "embedded":
            done = subprocess.run(
                [*command, "--baseline", "moto"], capture_output=True, text=True, env=env, timeout=300
            )
        else:
            with ReferenceServer(app=app) as server:
                done = subprocess.run(
                    [*command, "--endpoint-url", server.url],
                    capture_output=True,
                    text=True,
                    env=env | root_credentials_env,
                    timeout=300,
                )
        assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    out = tmp_path / "matrix"
    built = cli(*folders, "--out", out, "--label", "reference", "--label", "no paging", "--label", "moto 5.2")
    assert built.returncode == 0, built.stderr
    matrix = json.loads((out / "matrix.json").read_text(encoding="utf-8"))
    pag_02 = next(r for r in matrix["requirements"] if r["id"] == "PAG-02")
    assert [c["status"] for c in pag_02["cells"]] == ["passed", "failed", "failed"]
    assert pag_02["cells"][2]["known_deviation"] and not pag_02["cells"][1]["known_deviation"]

    screenshot = tmp_path / "matrix.png"
    shown = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,2400",
            f"--screenshot={screenshot}",
            (out / "matrix.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0 and screenshot.stat().st_size > 20_000
    console = [line for line in shown.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert console == []
