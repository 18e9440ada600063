"""Every reader of a report file is as careful as `run`: compare, matrix, report and run --baseline read through one
bounded reader (size, nesting, numbers, the fields' types), say anything else in one line with exit 2, and show
nothing from a file that would drive a terminal."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.run_summaries import failure, requirement, summary, write

# What a terminal acts on or reorders: ESC (a CSI clearing the screen, an OSC setting the title), BEL, CR, the C1 CSI,
# a bidi override, a line separator.
CONTROLS = ["\x1b[2J", "\x1b]0;owned\x07", "\r", "\x9b31m", "\u202e", "\u2028", "\x07"]
HOSTILE = "evil" + "".join(CONTROLS) + "end"


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def assert_neutralised(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\r\x9b\u202e\u2028"), repr(text)


@pytest.fixture
def hostile_runs(tmp_path):
    """Two runs whose summaries carry terminal controls in every field a reader shows."""
    hostile_failure = failure(expected=HOSTILE, actual=HOSTILE, body=HOSTILE)
    hostile_failure["message"] = HOSTILE
    hostile_failure["evidence"]["curl"] = f"curl {HOSTILE}"
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "passed"}, target=HOSTILE))
    rows = [requirement("PAG-02", "failed", failures=[hostile_failure], known=HOSTILE)]
    rows[0]["title"] = HOSTILE
    new = write(
        tmp_path / "new",
        summary({"SHAPE-01": "error"}, target=HOSTILE, rows=rows, incomplete_reasons=(HOSTILE,), started=HOSTILE),
    )
    new_summary = json.loads((new / "summary.json").read_text())
    new_summary["requirements"][0]["reason"] = HOSTILE
    (new / "summary.json").write_text(json.dumps(new_summary))
    return old, new


def test_compare_shows_nothing_that_drives_a_terminal(hostile_runs, tmp_path):
    old, new = hostile_runs
    done = cli("compare", old, new)
    # NEW regressed and is incomplete: the regression is the news (exit 1), the incompleteness said beside it
    assert done.returncode == 1 and "Traceback" not in done.stderr and "incomplete" in done.stdout
    assert "evil\\x1b[2J" in done.stdout and "\\u202e" in done.stdout and "regressed" in done.stdout
    assert_neutralised(done.stdout + done.stderr)
    written = cli("compare", old, new, "--html", tmp_path / "compare.html")
    assert_neutralised(written.stdout + (tmp_path / "compare.html").read_text(encoding="utf-8"))


def test_matrix_prints_and_writes_nothing_that_drives_a_terminal(hostile_runs, tmp_path):
    old, new = hostile_runs
    done = cli("matrix", old, new, "--label", f"one{HOSTILE}", "--label", "two", "--out", tmp_path / "m")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "one" in done.stdout and "\\u202e" in done.stdout
    assert_neutralised(done.stdout + done.stderr)
    for name in ("matrix.json", "matrix.html"):
        assert_neutralised((tmp_path / "m" / name).read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "m" / "matrix.json").read_text())["columns"][0]["target"].startswith("evil\\x1b")


CRAFTED = {
    "nested 200,000 deep": ("[" * 200_000 + "]" * 200_000, "nests deeper than 64 levels"),
    "a 5000-digit number": ('{"requirements": [], "verdict": ' + "9" * 5000 + "}", "a number of 5000 characters"),
    "a title that is a number": (
        json.dumps(summary({}, rows=[requirement("SHAPE-01", "passed") | {"title": 5}])),
        "'title' is a number, not a string",
    ),
    "failures that are a string": (
        json.dumps(summary({}, rows=[requirement("PAG-02", "failed") | {"failures": "all of them"}])),
        "'failures' is a string, not an array",
    ),
    "a status a number": (json.dumps(summary({}, rows=[{"id": "PAG-02", "status": 3}])), "has status 'a number'"),
    "too large": (" " * (17 << 20) + "{}", "larger than"),
    "NaN": ('{"requirements": [], "duration_s": NaN}', "NaN is not JSON"),
}


@pytest.mark.parametrize("crafted", sorted(CRAFTED))
@pytest.mark.parametrize("command", ["compare", "matrix", "report", "report --allure"])
def test_a_crafted_summary_is_one_line_and_exit_2(command, crafted, tmp_path):
    content, says = CRAFTED[crafted]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "summary.json").write_text(content, encoding="utf-8")
    good = write(tmp_path / "good", summary({"SHAPE-01": "passed"}))
    args = {
        "compare": ["compare", good, bad],
        "matrix": ["matrix", good, bad, "--out", tmp_path / "m"],
        "report": ["report", "--report-dir", bad],
        "report --allure": ["report", "--allure", "--report-dir", bad],
    }[command]
    done = cli(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert not (tmp_path / "m").exists() and not (bad / "report.html").exists()


@pytest.mark.parametrize("crafted", ["nested 200,000 deep", "a 5000-digit number", "NaN", "too large"])
def test_a_crafted_baseline_stops_run_in_one_line_before_any_request(crafted, tmp_path):
    content, says = CRAFTED[crafted]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content.replace('"requirements": []', '"expected_failures": {}'), encoding="utf-8")
    done = cli("run", "--endpoint-url", "http://127.0.0.1:9/", "--baseline", baseline, "--report-dir", tmp_path / "r")
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert says in done.stdout + done.stderr and (done.stdout + done.stderr).count("\n") <= 2
