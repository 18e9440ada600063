"""`iam-conformance compare OLD NEW`: regressions, fixes, new requirements, lost coverage; exit 0/1/2."""

import json
import os
import re
import subprocess
import sys

import pytest
from support.run_summaries import failure, requirement, summary, write

from conformance.reference import Flavour, ReferenceApp, ReferenceServer
from conformance.results.compare import classify, compare, console_lines
from conformance.results.summary_file import load


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    "old, new, kind",
    [
        ("passed", "failed", "regressed"),
        ("passed", "error", "regressed"),
        ("failed", "passed", "fixed"),
        ("error", "passed", "fixed"),
        ("passed", "skipped", "lost coverage"),
        ("passed", "untested", "lost coverage"),
        (None, "failed", "new"),
        (None, "passed", "new"),
        ("passed", None, "removed"),
        ("skipped", "failed", "changed"),
        ("untested", "passed", "changed"),
        ("failed", "error", "changed"),
        ("passed", "passed", None),
        ("failed", "failed", None),
        ("untested", "untested", None),
    ],
)
def test_each_status_change_is_classified(old, new, kind):
    assert classify(old, new) == kind


def test_a_regression_exits_1_and_is_named_on_its_own_line(tmp_path):
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "passed", "PARAM-02": "failed"}))
    new = write(tmp_path / "new", summary({"SHAPE-01": "passed", "PAG-02": "failed", "PARAM-02": "failed"}))
    done = cli(old, new)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    regressed = [line for line in lines if line.startswith("regressed")]
    assert len(regressed) == 1 and "PAG-02" in regressed[0] and "passed -> failed" in regressed[0]
    assert "expected HTTP 400 ValidationError naming 'maxItems'; got HTTP 200 with a listing" in regressed[0]
    assert lines[-1].startswith("compare: 1 regressed, 0 fixed") and "2 unchanged" in lines[-1]
    assert lines[-1].endswith("1 regression") and done.stderr == ""


def test_no_regression_exits_0_even_with_new_failing_requirements_and_fixes(tmp_path):
    old = summary({"SHAPE-01": "passed", "PARAM-02": "failed", "AUTH-01": "passed"})
    new = summary({"SHAPE-01": "passed", "PARAM-02": "passed", "AUTH-01": "passed", "PAG-10": "failed"})
    done = cli(write(tmp_path / "old", old), write(tmp_path / "new", new) / "summary.json")  # a folder or the file
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = {line.split()[1]: line.split()[0] for line in done.stdout.splitlines()[2:-1]}
    assert kinds == {"PARAM-02": "fixed", "PAG-10": "new"}
    assert done.stdout.splitlines()[-1].endswith("no regressions")


def test_a_known_deviation_in_new_is_still_a_regression_when_it_passed_before(tmp_path):
    old = summary({"PAG-02": "passed"})
    new = summary({}, rows=[requirement("PAG-02", "failed", known="MaxItems is ignored")])
    comparison = compare(load(write(tmp_path / "old", old)), load(write(tmp_path / "new", new)))
    assert [c.id for c in comparison.of("regressed")] == ["PAG-02"] and comparison.exit_code == 1
    assert "known deviation in NEW's baseline" in console_lines(comparison)[2]


def test_lost_coverage_and_removed_requirements_are_listed_but_do_not_fail(tmp_path):
    old = summary({"AUTH-01": "passed", "AUTH-02": "passed", "ERR-05": "passed"})
    new = summary(
        {"AUTH-02": "passed"},
        rows=[requirement("AUTH-01", "untested", reason="the target offered no error response to judge")],
    )
    comparison = compare(load(write(tmp_path / "old", old)), load(write(tmp_path / "new", new)))
    assert [(c.kind, c.id) for c in comparison.changes] == [("lost coverage", "AUTH-01"), ("removed", "ERR-05")]
    assert comparison.exit_code == 0 and comparison.unchanged == 1
    assert "the target offered no error response to judge" in console_lines(comparison)[2]


def test_an_incomplete_new_run_exits_2_saying_no_regression_can_be_ruled_out(tmp_path):
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "passed"}))
    new = write(
        tmp_path / "new",
        summary({"SHAPE-01": "passed", "PAG-02": "passed"}, incomplete_reasons=("interrupted by SIGTERM",)),
    )
    done = cli(old, new)
    assert done.returncode == 2
    assert "interrupted by SIGTERM" in done.stdout.splitlines()[-1]
    assert "no regression can be ruled out" in done.stdout.splitlines()[-1]
    # An incomplete OLD does not stop the comparison: what it saw pass, it saw.
    assert cli(new, old).returncode == 0


def test_a_format_1_summary_compares_with_a_format_2_one(tmp_path):
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "passed", "PARAM-02": "failed"}, format=1))
    new = write(tmp_path / "new", summary({"SHAPE-01": "passed", "PAG-02": "error", "PARAM-02": "passed"}))
    done = cli(old, new)
    assert done.returncode == 1
    assert [line.split()[:2] for line in done.stdout.splitlines()[2:-1]] == [
        ["regressed", "PAG-02"],
        ["fixed", "PARAM-02"],
    ]
    aborted = write(tmp_path / "aborted", summary({"SHAPE-01": "passed"}, format=1, aborted="target unreachable"))
    assert cli(old, aborted).returncode == 2  # format 1's `aborted` is an incomplete run


@pytest.mark.parametrize(
    "content, says",
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"verdict": "conformant"}', "no 'requirements' list"),
        ('{"requirements": [{"id": "PAG-02", "status": "flaky"}]}', "status 'flaky'"),
        ('{"requirements": [{"id": "PAG-02", "status": "passed"}, {"id": "PAG-02", "status": "failed"}]}', "twice"),
        ("\udcff", "is not JSON"),
    ],
)
def test_an_unreadable_input_exits_2_with_one_line(tmp_path, content, says):
    good = write(tmp_path / "good", summary({"SHAPE-01": "passed"}))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    for old, new, which in ((bad, good, "OLD"), (good, bad, "NEW")):
        done = cli(old, new)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and says in done.stderr and f"compare: {which}:" in done.stderr


def test_the_html_is_self_contained_escaped_and_names_the_regression(tmp_path):
    hostile = failure(actual='HTTP 200 <script>alert("x")</script>', body="<img src=https://evil.example/x.png>")
    old = write(tmp_path / "old", summary({"SHAPE-01": "passed", "PAG-02": "passed", "PARAM-02": "failed"}))
    new = write(
        tmp_path / "new",
        summary(
            {"SHAPE-01": "passed", "PARAM-02": "passed"}, rows=[requirement("PAG-02", "failed", failures=[hostile])]
        ),
    )
    page = tmp_path / "out" / "compare.html"
    page.parent.mkdir()
    done = cli(old, new, "--html", page)
    assert done.returncode == 1 and f"HTML in {page}" in done.stdout
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img" not in html
    assert not re.search(r"<[^>]*\s(src|href)=", html) and "@import" not in html  # nothing fetched from anywhere
    assert "PAG-02" in html and "regressed (1)" in html and "fixed (1)" in html and "--aws-sigv4" in html


def test_an_unwritable_html_path_exits_2_after_the_console_lines(tmp_path):
    run = write(tmp_path / "run", summary({"SHAPE-01": "passed"}))
    done = cli(run, run, "--html", tmp_path / "missing-folder" / "c.html")
    assert done.returncode == 2 and "cannot write" in done.stderr and done.stderr.count("\n") == 1


class ListsEverythingOnOnePage(ReferenceApp):
    """A release of the reference that stopped honouring MaxItems."""

    def page_size(self, max_items: int) -> int:
        return 1000


def test_end_to_end_a_release_that_stops_honouring_max_items_regresses_pag_02(tmp_path, root_credentials_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env
    folders = {}
    for name, app in (("good", None), ("bad", ListsEverythingOnOnePage(Flavour()))):
        with ReferenceServer(app=app) as server:
            folders[name] = tmp_path / name
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "conformance.cli",
                    "run",
                    "--endpoint-url",
                    server.url,
                    "--profile",
                    "quick",
                    "--seed",
                    "7",
                    "--report-dir",
                    str(folders[name]),
                ],
                capture_output=True,
                text=True,
                env=env,
                timeout=300,
            )
    regressed = cli(folders["good"], folders["bad"], "--html", tmp_path / "c.html")
    assert regressed.returncode == 1, regressed.stdout + regressed.stderr
    names = {line.split()[1] for line in regressed.stdout.splitlines() if line.startswith("regressed")}
    assert "PAG-02" in names
    fixed = cli(folders["bad"], folders["good"])
    assert fixed.returncode == 0 and "PAG-02" in {
        line.split()[1] for line in fixed.stdout.splitlines() if line.startswith("fixed")
    }
    assert json.loads((folders["good"] / "summary.json").read_text())["verdict"] == "conformant"
