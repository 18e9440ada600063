"""The pytest11 plugin: options, the `requirement` marker, outcome collection and the reports.

Fixtures live in conformance.fixtures (registered here); report rendering in conformance.report. This module
only wires pytest's hooks to them, so plain `pytest --pyargs conformance.suite` behaves like the CLI.
"""
from __future__ import annotations

import gc
import json
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from conformance import allure_labels
from conformance.failures import CheckFailure
from conformance.redaction import redact
from conformance.spec import requirements

# Settings the controller decides once and hands to every xdist worker (workerinput), never through the
# environment: a run started from inside another run (our own tests do that) must get its own.
RUN_SETTINGS = ("iam_run_id", "iam_deadline_epoch")
EXIT_COULD_NOT_RUN = 2


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam-conformance", "IAM ListSigningCertificates conformance")
    group.addoption("--endpoint-url", default=None, help="IAM endpoint (default: AWS_ENDPOINT_URL_IAM, "
                    "AWS_ENDPOINT_URL, else an embedded moto server on loopback)")
    group.addoption("--region", default=None, help="signing region (default: AWS settings, else us-east-1)")
    group.addoption("--report-dir", default="reports", help="where summary.json and report.html go")
    group.addoption("--conformance-profile", default=None, choices=("quick", "standard", "thorough"),
                    help="Hypothesis profile (default: standard)")
    group.addoption("--baseline", default=None, help="JSON file of requirement ids expected to fail")
    group.addoption("--strict-baseline", action="store_true", help="also fail when baseline entries now pass")
    group.addoption("--write-baseline", default=None, help="record this run's failures as a baseline file")
    group.addoption("--read-only", action="store_true", help="run only the checks that create nothing on the target")
    group.addoption("--allow-writes", action="store_true",
                    help="allow creating (and deleting) users under /iam-conformance/ on *.amazonaws.com")
    group.addoption("--stateful-sequences", type=int, default=None,
                    help="sequences the state machine tries (default: the profile's)")
    group.addoption("--deadline", type=float, default=900.0,
                    help="seconds after which no more requests are sent (default 900)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(id): the requirement (schemas/requirements.json) a test enforces")
    config.addinivalue_line("markers", "runs_long: runs much longer than the other tests; scheduled first")
    if not _is_xdist_controller(config):  # a controller runs no test: it needs neither fixtures nor Hypothesis
        from conformance import fixtures, profiles

        config.pluginmanager.register(fixtures, "iam-conformance-fixtures")
        profiles.load(config.getoption("conformance_profile") or profiles.DEFAULT_PROFILE)
    _terminate_like_ctrl_c()
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:
        config.stash[_SETTINGS] = {k: worker_input[k] for k in RUN_SETTINGS}
    else:  # the controller (or a run without xdist): it decides, and it reports
        config.stash[_SETTINGS] = {"iam_run_id": secrets.token_hex(4),
                                   "iam_deadline_epoch": time.time() + config.getoption("deadline")}
        config.stash[_RUN] = _Run(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: every worker gets the controller's run id and deadline."""
    node.workerinput.update(node.config.stash[_SETTINGS])


def _is_xdist_controller(config: pytest.Config) -> bool:
    # xdist turns `-n N` into a distribution mode before pytest_configure; workers carry `workerinput`.
    return getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")


def run_setting(config: pytest.Config, name: str):
    return config.stash[_SETTINGS][name]


def _terminate_like_ctrl_c() -> None:
    """SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C, so pytest's teardown still
    deletes what the run created."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Long tests first (a stable sort: the same order on every xdist worker, as xdist requires).
    items.sort(key=lambda item: item.get_closest_marker("runs_long") is None)
    catalogue = requirements()
    read_only = pytest.mark.skip(reason="creates IAM users; skipped by --read-only")
    for item in items:
        if config.getoption("read_only") and "seeder" in getattr(item, "fixturenames", ()):
            item.add_marker(read_only)
        marks = list(item.iter_markers("requirement"))
        if not marks:
            continue
        requirement_id = marks[0].args[0]
        if requirement_id not in catalogue or len(marks) != 1:
            raise pytest.UsageError(f"{item.nodeid}: requirement marker must name one catalogued id, "
                                    f"not {[m.args for m in marks]}")
        item.user_properties.append(("requirement", requirement_id))
        config.stash[_SUITE_COLLECTED] = True
        if allure_labels.enabled(config):
            allure_labels.label(item, requirement_id)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Everything imported and collected lives until the end: move it out of the collector's reach, so that full
    # collections during the run (Hypothesis forces one) do not walk the whole import-time heap again.
    if session.config.stash.get(_SUITE_COLLECTED, False):
        gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    requirement_id = dict(item.user_properties).get("requirement")
    if requirement_id and allure_labels.enabled(item.config):
        allure_labels.title(requirement_id)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and dict(item.user_properties).get("requirement"):
        from conformance.evidence import describe_failure

        evidence = describe_failure(call.excinfo.value)
        # A new list: in-process the report shares the item's list, and evidence belongs to this phase only.
        report.user_properties = [*report.user_properties, ("evidence", json.dumps(evidence))]
        if allure_labels.enabled(item.config):
            allure_labels.attach(evidence)
        if isinstance(call.excinfo.value, CheckFailure):
            report.longrepr = redact(str(call.excinfo.value))  # the broken expectation, not a traceback
        else:
            report.longrepr = redact(str(report.longrepr))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    run = _current_run
    if run is not None:
        run.record(report)


@pytest.hookimpl(trylast=True)  # after xdist has started its workers: their start-up overlaps the preflight
def pytest_sessionstart(session: pytest.Session) -> None:
    global _current_run
    _current_run = session.config.stash.get(_RUN, None)
    if _current_run is not None:
        from conformance.preflight import preflight

        reason = preflight(session.config)
        if reason:
            session.config.stash[_RUN].could_not_run = reason
            pytest.exit(f"could not run: {reason}", returncode=EXIT_COULD_NOT_RUN)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist: a worker's totals arrive in its workeroutput."""
    run = _current_run
    if run is not None:
        run.add_worker_totals(node.workeroutput)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A process that never loaded the fixtures (an xdist controller) sent no request of its own.
    fixtures = sys.modules.get("conformance.fixtures")
    totals = fixtures.process_totals() if fixtures is not None else {}
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput.update(totals)
        return
    run = session.config.stash.get(_RUN, None)
    if run is None:
        return
    run.add_worker_totals(totals)
    if not run.outcomes or run.could_not_run:
        return
    from conformance import report

    verdict = report.write_all(run, session.config)
    if run.gave_up:
        session.exitstatus = EXIT_COULD_NOT_RUN  # the target went away: no verdict on what was not asked
    elif exitstatus in (0, 1):  # pytest's own usage/internal errors and interruptions keep their codes
        session.exitstatus = verdict.exit_code


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") and config.stash.get(_SUITE_COLLECTED, False):
        # An xdist worker of a conformance run has deleted what it created (session teardown) and sent its results
        # (workerfinished); the controller waits for its process to end. Skip the interpreter's teardown: ~0.4 s
        # on every run. Other pytest sessions in this environment (the plugin is always loaded) exit normally.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is not None and run.verdict is not None:
        from conformance import report

        for line in report.console_lines(run):
            terminalreporter.write_line(line)


class _Run:
    """What the controller learns during the session: one outcome per test, keyed by requirement."""

    def __init__(self, config: pytest.Config) -> None:
        self.started = time.time()
        self.report_dir = Path(config.getoption("report_dir"))
        self.baseline_path = config.getoption("baseline")
        self.strict_baseline = config.getoption("strict_baseline")
        self.write_baseline = config.getoption("write_baseline")
        self.outcomes: dict[str, dict] = {}  # nodeid -> {requirement, status, evidence, longrepr}
        self.could_not_run: str | None = None
        self.verdict = None
        self.summary: dict | None = None
        self.target_label = ""
        self.request_count = 0
        self.retries: list[dict] = []
        self.waits: list[dict] = []
        self.gave_up: str | None = None
        self.cleanup_problems: list[str] = []

    def add_worker_totals(self, totals: dict) -> None:
        self.request_count += int(totals.get("requests", 0))
        self.retries += totals.get("retries", [])
        self.waits += totals.get("waits", [])
        self.gave_up = self.gave_up or totals.get("gave_up")
        self.target_label = self.target_label or totals.get("target", "")
        self.cleanup_problems += totals.get("cleanup_problems", [])

    def record(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        requirement_id = properties.get("requirement")
        if requirement_id is None:
            return
        entry = self.outcomes.setdefault(
            report.nodeid, {"requirement": requirement_id, "status": "passed", "evidence": None, "message": ""}
        )
        if report.when == "teardown":  # appended by the fixture as the test ends: counted once
            entry["requests"] = sum(int(v) for k, v in report.user_properties if k == "requests")
        if report.failed:
            entry["status"] = "failed"
            entry["evidence"] = json.loads(properties["evidence"]) if "evidence" in properties else None
            entry["message"] = str(report.longrepr)[-2000:]
        elif report.skipped and entry["status"] != "failed":
            entry["status"] = "skipped"
            entry["message"] = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""


_RUN = pytest.StashKey[_Run]()
_SETTINGS = pytest.StashKey[dict]()
_SUITE_COLLECTED = pytest.StashKey[bool]()  # this session runs conformance tests (marked with a requirement)
_current_run: _Run | None = None
