"""A partial run (--requirement, --category) while fixing one requirement: it runs only what was asked for, says
"partial" everywhere (the console's last line, summary.json, report.html, junit.xml), and never passes the gate of
the whole contract: exit 1 when a requirement it ran failed, else exit 2 with gate: partial."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from conformance.contract.spec import requirements
from conformance.reference import Flavour, ReferenceApp, ReferenceServer


class IgnoresMaxItems(ReferenceApp):
    def page_size(self, max_items: int) -> int:
        return 1000


def ran(run) -> set[str]:
    return {r["id"] for r in run.summary["requirements"] if r["status"] != "skipped"}


def junit_of(run) -> ET.Element:
    return ET.parse(run.report_dir / "junit.xml").getroot()


def test_one_requirement_that_fails_is_nonconformant_and_partial_everywhere(run_cli, root_credentials_env):
    with ReferenceServer(app=IgnoresMaxItems(Flavour())) as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--requirement",
            "pag-02",
            env=root_credentials_env,
        )
    assert run.code == 1, run.stdout[-3000:] + run.stderr[-2000:]
    summary = run.summary
    assert ran(run) == {"PAG-02"} and run.statuses()["PAG-02"] == "failed"
    assert summary["partial"] is True and summary["selected_requirements"] == ["PAG-02"]
    assert summary["verdict"] == "nonconformant" and summary["gate"] == "fail"
    skipped = [r for r in summary["requirements"] if r["status"] == "skipped"]
    assert len(skipped) == len(requirements()) - 1 and all("not asked for" in r["reason"] for r in skipped)
    last = run.stdout.splitlines()[-1]
    assert last.startswith("verdict: nonconformant — gate: fail") and "partial run (1 of" in last
    suite = junit_of(run)
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["partial"] == "true" and "(partial)" in suite.get("name")
    assert {case.get("name").split()[0] for case in suite.findall("testcase")} == {"PAG-02"}
    assert "partial" in (run.report_dir / "report.html").read_text()


def test_a_category_that_passes_is_incomplete_with_gate_partial(run_cli, root_credentials_env, tmp_path):
    baseline = tmp_path / "mine.json"
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--category",
            "auth",
            "--write-baseline",
            str(baseline),
            env=root_credentials_env,
        )
    auth = {r.id for r in requirements().values() if r.category == "auth"}
    assert run.code == 2, run.stdout[-3000:] + run.stderr[-2000:]
    assert ran(run) == auth and set(run.statuses()[i] for i in auth) == {"passed"}
    summary = run.summary
    assert summary["verdict"] == "incomplete" and summary["gate"] == "partial" and summary["partial"] is True
    assert any(reason.startswith("partial run (--category auth)") for reason in summary["incomplete_reasons"])
    assert run.stdout.splitlines()[-1] == (
        f"verdict: incomplete — gate: partial ({len(auth)} of {len(requirements())} requirements asked for, none "
        "failed; a partial run never passes the gate of the whole contract)"
    )
    assert "baseline not written" in run.stdout and not baseline.exists()  # a partial run is no baseline
    assert junit_of(run).find("properties/property[@name='gate']").get("value") == "partial"


def test_compare_treats_a_partial_new_run_as_incomplete(run_cli, root_credentials_env, tmp_path):
    import subprocess
    import sys

    from support.run_summaries import summary, write

    old = write(tmp_path / "old", summary({"PAG-02": "passed", "AUTH-01": "passed"}))
    with ReferenceServer() as server:
        run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--requirement",
            "AUTH-01",
            env=root_credentials_env,
        )
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", str(old), str(tmp_path / "reports")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        done.returncode == 2 and "NEW is incomplete (partial run (--requirement AUTH-01)" in done.stdout + done.stderr
    )


@pytest.mark.parametrize(
    "args,line",
    [
        (
            ("--requirement", "PAG-2"),
            "iam-conformance: could not run: --requirement PAG-2: no such requirement (close matches: PAG-12, PAG-02",
        ),
        (
            ("--category", "pagnation"),
            "iam-conformance: could not run: --category pagnation: no such category (close matches: pagination; "
            "the categories: shape, pagination",
        ),
    ],
)
def test_an_unknown_requirement_or_category_is_one_line_naming_close_matches(args, line, run_cli):
    run = run_cli("run", *args)
    assert run.code == 2 and run.stderr.count("\n") == 1 and run.stderr.startswith(line), run.stderr
    assert run.stdout == "" and not run.report_dir.exists()  # bad usage: nothing started, nothing written
