"""A conformance run inside one pytest process: the only process of a run, or an xdist worker (or the controller,
which runs no test). Registered by conformance.run.plugin only when a conformance run asked for it.

Each test's outcome, evidence and this process's request statistics and newly learned secrets travel on the test
reports (`report.iam_conformance`), the same way in-process and over xdist's channel, to the run's owner.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias, cast

import pytest

from conformance.config.settings import RunSettings
from conformance.contract.spec import requirements
from conformance.protocol.tap import stepping
from conformance.reports import allure_labels
from conformance.results import baselines, evidence
from conformance.run.phases import classify_phase
from conformance.run.pytest_outcomes import Expected, tell_pytest, teststatus
from conformance.safety.bounds import bounded_data
from conformance.safety.redaction import Redactor

if TYPE_CHECKING:
    from types import FrameType

    import pluggy

    from conformance.checks.failures import Deviation
    from conformance.protocol.client import IamClient
    from conformance.recording.capture import Capture
    from conformance.suite.side_by_side import BesideRuns
    from conformance.world.seeding import Seeder

    # what signal.signal() returns: the handler it replaced
    _SignalHandler: TypeAlias = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

PAYLOAD = "iam_conformance"  # the attribute of a TestReport carrying what this plugin adds to it
ALLURE_PLUGIN_NAMES = ("allure_pytest", "allure_pytest.plugin")  # by entry point, or by `-p allure_pytest.plugin`


class ProcessLedger:
    """What this process spent and learned since the last report: requests, retries, waits, cleanup problems,
    a target given up, and secrets (shipped once each, to the run's owner)."""

    def __init__(self) -> None:
        self.clients: list[IamClient] = []
        self.seeders: list[Seeder] = []
        self.cleanup_problems: list[str] = []
        self.cleanup_requests = 0
        self.kept: list[str] = []  # users kept by --keep-resources
        self._new_secrets: list[str] = []
        self._sent = {
            "requests": 0,
            "retries": 0,
            "waits": 0,
            "cleanup_problems": 0,
            "cleanup_requests": 0,
            "kept": 0,
            "unattributed": 0,
        }
        self._attributed_taken: set[str] = set()
        self._gave_up_sent = False

    def learned(self, secrets: list[str]) -> None:
        self._new_secrets += secrets

    def drain(self, test: str | None = None) -> dict[str, Any]:
        """What happened since the last drain. `test_requests`: the requests of `test`'s own (those sent outside any
        test run beside the others, plus that test's when it ran beside them)."""
        retries = [r for client in self.clients for r in client.retries]
        attributed: dict[str, int] = {}
        for client in self.clients:
            for label, count in client.attributed_snapshot().items():
                attributed[label] = attributed.get(label, 0) + count
        waits = [w for seeder in self.seeders for w in seeder.waits]
        now = {
            "requests": sum(client.request_count for client in self.clients),
            "retries": len(retries),
            "waits": len(waits),
            "cleanup_problems": len(self.cleanup_problems),
            "cleanup_requests": self.cleanup_requests,
            "kept": len(self.kept),
        }
        now["unattributed"] = now["requests"] - sum(attributed.values())
        own = 0
        if test is not None and test in attributed and test not in self._attributed_taken:
            own = attributed[test]
            self._attributed_taken.add(test)
        delta = {
            "requests": now["requests"] - self._sent["requests"],
            "test_requests": now["unattributed"] - self._sent["unattributed"] + own,
            "cleanup_requests": now["cleanup_requests"] - self._sent["cleanup_requests"],
            "retries": retries[self._sent["retries"] :],
            "waits": waits[self._sent["waits"] :],
            "cleanup_problems": self.cleanup_problems[self._sent["cleanup_problems"] :],
            "kept": self.kept[self._sent["kept"] :],
            "gave_up": None,
        }
        gave_up = next((client.gave_up for client in self.clients if client.gave_up), None)
        if gave_up and not self._gave_up_sent:
            delta["gave_up"], self._gave_up_sent = gave_up, True
        self._sent = now
        return delta

    def take_secrets(self) -> list[str]:
        taken, self._new_secrets = self._new_secrets, []
        return taken


class RunProcess:
    def __init__(self, config: pytest.Config, settings: RunSettings, redactor: Redactor, runs_tests: bool) -> None:
        self.config = config
        self.settings = settings
        self.redactor = redactor
        self.ledger = ProcessLedger()
        self.runs_tests = runs_tests
        self.signal_received: str | None = None
        self._previous_handlers: dict[signal.Signals, _SignalHandler] = {}
        self._conformance_items = False
        # --record: this process's share of the recording (its clients' calls, its tests' judgments)
        self.tap: Capture | None = None
        if settings.record_dir is not None and runs_tests:
            from conformance.recording.capture import Capture  # only a recording run loads the recording format

            worker = getattr(config, "workerinput", {}).get("workerid", "main")
            self.tap = Capture(str(worker), settings.access_key, settings.secret_key)
        baseline = baselines.load(settings.baseline) if settings.baseline else None
        self.expected = Expected(baseline, settings.strict_baseline)

    # -- set-up, before any other plugin configures (conformance.run.plugin calls it from a tryfirst hook) -------------
    def configure(self) -> None:
        config, settings = self.config, self.settings
        config.addinivalue_line(
            "markers", "requirement(id): the requirement (schemas/requirements.json) a test enforces"
        )
        config.addinivalue_line("markers", "runs_long: runs much longer than the other tests; scheduled first")
        config.addinivalue_line("markers", "beside: runs in a thread of its own from the session's start")
        config.addinivalue_line("markers", "waits_on_the_clock: waits for a moment after the seeding; runs last")
        if settings.seed is not None:  # read by Hypothesis' own plugin, which configures after this one
            config.option.hypothesis_seed = str(settings.seed)
        if settings.allure_staging:
            if not any(config.pluginmanager.has_plugin(name) for name in ALLURE_PLUGIN_NAMES):
                raise pytest.UsageError(
                    "--iam-allure needs the allure-pytest plugin, which is not loaded "
                    "(installed with iam-conformance; was it disabled with -p no:allure_pytest?)"
                )
            # allure-pytest writes into a private folder; the run's owner redacts and moves the results
            config.option.allure_report_dir = settings.allure_staging
            config.option.clean_alluredir = False
        self._handle_interrupts()
        if self.runs_tests:
            from hypothesis.configuration import set_hypothesis_home_dir

            from conformance.config import profiles
            from conformance.config.hypothesis_home import hypothesis_home
            from conformance.suite import fixtures

            # Hypothesis' caches (its unicode tables) go to the user's cache folder, never into the working directory;
            # an empty one gets the bundled table of Unicode categories.
            set_hypothesis_home_dir(hypothesis_home())
            profiles.load(settings.profile)
            config.pluginmanager.register(fixtures, "iam-conformance-fixtures")
            if self.tap is not None:
                config.pluginmanager.register(StepLabels(), "iam-conformance-steps")

    def describe(self, deviation: Deviation) -> dict[str, Any]:
        return evidence.from_deviation(deviation, self.redactor, self.settings.run_id, self.settings.keep_resources)

    def learn_secret(self, *secrets: str | None) -> None:
        self.ledger.learned(self.redactor.add(*secrets))

    def _handle_interrupts(self) -> None:
        """SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C: pytest's teardown still deletes
        what the run created, and the report says the run was interrupted. Both are also remembered apart from the
        KeyboardInterrupt they raise: Python runs a signal's handler wherever the main thread next checks, and one
        that lands in a finaliser is swallowed there (an unraisable exception), while the run goes on."""
        if threading.current_thread() is not threading.main_thread():
            return

        def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
            name = signal.Signals(signum).name
            self.signal_received = "SIGINT (Ctrl-C)" if signum == signal.SIGINT else name
            raise KeyboardInterrupt(name)

        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous_handlers[signum] = signal.signal(signum, interrupt)

    def unconfigure(self) -> None:
        if self._previous_handlers and threading.current_thread() is threading.main_thread():
            for signum, previous in self._previous_handlers.items():
                signal.signal(signum, previous)
            self._previous_handlers = {}

    # -- collection --------------------------------------------------------------------------------------------
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        # A stable sort (the same order on every xdist worker, as xdist requires). Under xdist the long tests go
        # first, so that one worker starts them while the others take the rest. In one process the tests that run
        # beside the others (conformance.suite.side_by_side) go last: their items only wait for them, meanwhile the
        # rest ran; and after them a test that waits on the clock (a second past the seeding), whose moment has mostly
        # passed by then, the more so as the tests that seed go first.
        if hasattr(config, "workerinput"):
            items.sort(key=lambda item: item.get_closest_marker("runs_long") is None)
        else:
            items.sort(
                key=lambda item: (
                    item.get_closest_marker("beside") is not None,
                    item.get_closest_marker("waits_on_the_clock") is not None,
                    not _creates_something(item),
                )
            )
        catalogue = requirements()
        read_only = pytest.mark.skip(reason="creates IAM users; skipped by --read-only")
        if self.settings.selection:  # a partial run: the other requirements' tests are not run at all
            chosen = set(self.settings.selection)
            left_out = [item for item in items if _requirement_of(item) not in chosen]
            if left_out:
                items[:] = [item for item in items if _requirement_of(item) in chosen]
                config.hook.pytest_deselected(items=left_out)
        for item in items:
            marks = list(item.iter_markers("requirement"))
            if not marks:
                continue
            requirement_id = marks[0].args[0]
            if requirement_id not in catalogue or len(marks) != 1:
                raise pytest.UsageError(
                    f"{item.nodeid}: requirement marker must name one catalogued id, not {[m.args for m in marks]}"
                )
            self._conformance_items = True
            if self.settings.read_only and _creates_something(item):
                item.add_marker(read_only)
            if allure_labels.enabled(config):
                allure_labels.label(item, requirement_id)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Everything imported and collected lives until the end: move it out of the collector's reach, so that full
        # collections during the run (Hypothesis forces one) do not walk the whole import-time heap again.
        if self._conformance_items:
            gc.freeze()
            if self.runs_tests:  # before any test starts, and none beside another (Hypothesis warns if done earlier)
                from conformance.contract import strategies

                strategies.warm_up()

    # -- each test ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        requirement_id = _requirement_of(item)
        if requirement_id and allure_labels.enabled(item.config):
            allure_labels.title(requirement_id)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """A test that ran beside the others (conformance.suite.side_by_side): wait for it, report what it did."""
        runs = cast("BesideRuns | None", pyfuncitem.funcargs.get("tests_beside"))
        return True if runs is not None and runs.finish(pyfuncitem) else None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
        outcome = yield
        report = outcome.get_result()
        judge = item.funcargs.get("judge") if call.when == "call" and hasattr(item, "funcargs") else None
        phase = classify_phase(
            call.when, call.excinfo, judge.ledger if judge else None, report, self.redactor, self.describe
        )
        drained = self.ledger.drain(item.nodeid if call.when == "call" else None)
        payload = {"requirement": _requirement_of(item), **phase.to_dict(), "stats": drained}
        deviations = [evidence.redacted(found, self.redactor) for found in payload.pop("deviations")]
        # Redacted, then every value bounded (what a target sent costs the run's owner at most MAX_VALUE_CHARS a value);
        # the evidence's replay lines are built from its redacted request, never redacted themselves.
        payload = bounded_data(self.redactor.redact_data(payload)) | {"deviations": deviations}
        if self.tap is not None:  # whole bodies (each read at most MAX_BODY_BYTES by the client): a diff compares them
            judged = self.tap.judgments(judge.ledger.judgments, item.nodeid, _requirement_of(item)) if judge else []
            recording = {"exchanges": self.tap.drain(), "judgments": judged}
            payload["recording"] = self.redactor.redact_data(recording)
        payload["secrets"] = self.ledger.take_secrets()  # never redacted: the owner needs them to redact with
        setattr(report, PAYLOAD, payload)
        if phase.longrepr is not None:  # a deviation reads as its broken expectation, not as a traceback
            report.longrepr = phase.longrepr
        elif report.longrepr is not None and not report.skipped:
            report.longrepr = self.redactor.redact(str(report.longrepr))
        tell_pytest(report, item, payload, self.expected)  # known deviations xfail, untested skipped, errors errors
        if phase.deviations and allure_labels.enabled(item.config):
            for found in deviations:
                allure_labels.attach(found)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
        return teststatus(report, getattr(report, PAYLOAD, None))

    # -- the end -----------------------------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.unconfigure()
        if hasattr(config, "workerinput") and self._conformance_items:
            # A worker of a conformance run has deleted what it created (session teardown) and sent every report;
            # the controller waits for its process to end. Skip the interpreter's teardown: ~0.4 s on every run.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


class StepLabels:
    """--record: the calls of each phase of a test belong to it (a recording names the step that sent a request)."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        with stepping(item.nodeid, "setup"):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        with stepping(item.nodeid, "call"):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        with stepping(item.nodeid, "teardown"):
            yield


# Fixtures that create users or certificates on the target; a test using the Seeder itself creates too.
CREATING_FIXTURES = {
    "population",
    "seeded_users",
    "user_without_certificates",
    "user_with_one_certificate",
    "user_with_two_certificates",
    "user_with_most_certificates",
    "history",
    "identity_of",
}


def _creates_something(item: pytest.Item) -> bool:
    direct = getattr(getattr(item, "_fixtureinfo", None), "argnames", ())
    return bool(CREATING_FIXTURES & set(getattr(item, "fixturenames", ()))) or "seeder" in direct


def _requirement_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("requirement")
    return mark.args[0] if mark else None
