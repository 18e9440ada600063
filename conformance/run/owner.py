"""The owner of a conformance run: the one process that decides its settings, collects what every process reports,
and writes the reports (the only process of a run, or the xdist controller). Registered by conformance.run.plugin only
when a conformance run asked for it.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, cast

import pytest

from conformance.config.options import WORKER_INPUT
from conformance.config.settings import RunSettings, SettingsError, scope_line, seed_line
from conformance.errors import ExitCode
from conformance.protocol.client import TargetUnreachable
from conformance.protocol.target import EMBEDDED_CREDENTIALS, TargetError, caller_credentials
from conformance.results import result as results
from conformance.results.record import RunRecord
from conformance.run import start
from conformance.run.process import PAYLOAD
from conformance.safety.redaction import Redactor
from conformance.safety.terminal import neutralise

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionRepr, TerminalRepr
    from _pytest._io import TerminalWriter
    from _pytest.outcomes import Exit

    from conformance.protocol.target import EmbeddedMoto
    from conformance.run.process import RunProcess
    from conformance.run.recorder import RunRecorder
    from conformance.run.shared import Shared

SWEEP_GRACE_S = 60  # the final sweep of the run's path, after every process has cleaned up after itself


class RunHandle:
    """Passed by the CLI as a pytest plugin: settings it already resolved (and preflighted), and where the owner
    leaves the run's result for the CLI to read back. Nothing travels through the environment."""

    def __init__(self, settings: RunSettings | None = None, requests_before: int = 0) -> None:
        self.settings = settings
        self.requests_before = requests_before  # what the CLI's preflight sent
        self.result: results.RunResult | None = None

    @pytest.hookimpl(
        tryfirst=True
    )  # once the tests are collected (and frozen: conformance.run.process), or xdist's starts
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        # The CLI runs without cyclic garbage collection until the tests are collected. From here on, the youngest
        # generation is collected every 10,000 allocations rather than 700: each request allocates hundreds of
        # objects that die with it, and the run's memory stays bounded all the same.
        gc.set_threshold(10_000, *gc.get_threshold()[1:])
        gc.enable()


def _handle(config: pytest.Config) -> RunHandle | None:
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunHandle)), None)


class RunOwner:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = time.time()
        self.record = RunRecord()
        self.redactor = Redactor()
        self.settings: RunSettings | None = None
        self.process: RunProcess | None = None  # this process's part of the run, set by the plugin
        self.handle = _handle(config)
        self.result: results.RunResult | None = None
        self._moto: EmbeddedMoto | None = None
        self._preflighted = False
        self._used_workers = False
        self._shared: Shared | None = None  # the users the owner made for its workers
        self.recorder: RunRecorder | None = None  # --record
        self._values: dict[str, Any] = {}  # the options the run was started with

    # -- settings, before anything else starts ----------------------------------------------------------------
    def start(self, values: dict[str, Any], seed: int | None, in_ci: bool) -> None:
        self._values = values
        try:
            if self.handle is not None and self.handle.settings is not None:
                settings, self._preflighted = self.handle.settings, True
                self.record.requests += self.handle.requests_before
            else:  # as the CLI starts one: a target the suite did not start is preflighted here
                settings = start.prepare(values, self.record, seed=seed, in_ci=in_ci)
                self._preflighted = settings.endpoint is not None
            self.settings = self._complete(settings)
        except (start.StartError, SettingsError, TargetError) as exc:
            self.record.could_not_run = str(exc)
            return
        self.redactor.add(self.settings.secret_key, self.settings.session_token)
        if self.settings.record_dir is not None:
            from conformance.run.recorder import RunRecorder

            self.recorder = RunRecorder(self.settings)

    def _complete(self, settings: RunSettings) -> RunSettings:
        """Credentials, the embedded target if one is needed, and (--allure) the private folder allure-pytest writes
        into."""
        staging = tempfile.mkdtemp(prefix="iam-conformance-allure-") if settings.allure else None
        changes: dict[str, Any] = {"allure_staging": staging}
        if settings.endpoint is None:
            from conformance.protocol.target import (  # needs the [moto] extra
                EmbeddedMoto,
                moto_version,
            )

            self._moto = EmbeddedMoto().__enter__()
            changes.update(
                endpoint=self._moto.url,
                target_label=f"embedded moto {moto_version()}",
                access_key=EMBEDDED_CREDENTIALS.access_key,
                secret_key=EMBEDDED_CREDENTIALS.secret_key,
                session_token=None,
            )
        elif not settings.access_key:
            credentials = caller_credentials()
            changes.update(
                access_key=credentials.access_key, secret_key=credentials.secret_key, session_token=credentials.token
            )
        return RunSettings.from_wire({**settings.to_wire(), **changes})

    # -- xdist ---------------------------------------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:  # xdist's WorkerController (untyped)
        self._used_workers = True
        if self.settings is not None:
            node.workerinput[WORKER_INPUT] = self.settings.to_wire()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.record.collected.update(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        if error is not None:  # xdist reports a worker that died (not one that finished) with its error
            self.record.crashes.append(f"worker {node.gateway.id} ended unexpectedly: {error}")

    # -- the session ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)  # before xdist starts its workers: they receive the users the owner made
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.record.could_not_run is None and not self._preflighted:
            from conformance.run.preflight import paced, preflight

            settings = cast(RunSettings, self.settings)  # start() made them: the run could run
            self.record.could_not_run = preflight(settings, self.record)
            self.settings = paced(settings, self.record.preflight_ms)
            if self.process is not None:  # this process runs the tests (no workers): its clients are not made yet
                self.process.settings = self.settings
        if self.record.could_not_run is None and self._shares_population():
            self._make_population()
        if self.record.could_not_run is not None and self._xdist:  # workers are starting: stop them all
            pytest.exit(f"iam-conformance: could not run: {self.record.could_not_run}", returncode=ExitCode.INCOMPLETE)
        if reporter is not None and self.settings is not None and self.handle is None:
            reporter.write_line(
                f"iam-conformance: {seed_line(self.settings, '--iam-seed')}; {scope_line(self.settings)}"
            )

    @property
    def _xdist(self) -> bool:
        return getattr(self.config.option, "dist", "no") != "no"

    def _shares_population(self) -> bool:
        """With xdist workers, the users most checks list are made once, here, instead of once per worker."""
        settings = cast(RunSettings, self.settings)  # asked only of a run that could run
        return self._xdist and not settings.read_only

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        """A run that cannot start collects nothing and runs nothing: its one line and its verdict end the session."""
        if self.record.could_not_run is None:
            return None
        session.items = []
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Ctrl-C, SIGTERM (or pytest stopping the loop): the run ends there as an interrupted one, its cleanup and
        reports as usual, its verdict the last line; pytest is not told, so it prints no traceback hint after it."""
        try:
            return (yield)
        except KeyboardInterrupt as stopped:
            signal_name = self.process.signal_received if self.process is not None else None
            self.record.interrupted = signal_name or str(stopped) or "SIGINT (Ctrl-C)"
            return True

    def _make_population(self) -> None:
        from conformance.run.shared import Shared
        from conformance.world.seeding import SeedingError

        settings = cast(RunSettings, self.settings)  # made only for a run that could run
        # (the Seeder ignores what the callback returns: here, the secrets that were new)
        self._shared = Shared(settings, cast("Callable[[str], None]", self.redactor.add))
        self._shared.client.tap = self.recorder.before if self.recorder is not None else None
        try:
            wire = self._shared.make()
        except (SeedingError, TargetUnreachable) as exc:
            self.record.could_not_run = f"set-up failed: {exc}"
            self._end_population()
            return
        self.settings = RunSettings.from_wire({**settings.to_wire(), "population": wire})

    def _end_population(self) -> None:
        if self._shared is not None:
            self._shared.client.tap = self.recorder.after if self.recorder is not None else None
            problems, kept = self._shared.remove()
            self.record.cleanup_problems += problems
            self.record.kept += kept
            self.record.requests += self._shared.client.request_count
            self._shared.client.close()
            self._shared = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.record.collected.update(item.nodeid for item in session.items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, PAYLOAD, None)
        when: str = report.when  # "???" too, which pytest's types do not name
        if when == "???":  # xdist: the worker running this test died
            self.record.add_crash(report.nodeid, f"the process running it ended unexpectedly ({report.longrepr})")
        elif payload is not None:
            self.redactor.add(*payload.pop("secrets", ()))  # taken out before any other plugin sees the report
            recorded = payload.pop("recording", None)
            if recorded is not None and self.recorder is not None:
                self.recorder.add(recorded)
            self.record.add_report(report.nodeid, report.when, payload)
        if report.longrepr is not None and not report.skipped:
            # (shown the way a TerminalRepr is: str() and toterminal())
            report.longrepr = cast("TerminalRepr", _Redacted(str(report.longrepr), self.redactor))

    @pytest.hookimpl(tryfirst=True)  # before pytest's terminal reporter prints it
    def pytest_internalerror(self, excrepr: ExceptionRepr, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """A bug of the suite's own, outside any test: the run says so (incomplete), and its traceback reaches the
        terminal redacted and neutralised, as everything else the run prints."""
        last = excinfo.exconly().strip().splitlines()[-1:] or [excinfo.typename]
        self.record.internal_errors.append(neutralise(self.redactor.redact(last[0]))[:300])
        lines = [neutralise(line) for line in self.redactor.redact(str(excrepr)).splitlines()]
        # What every printer renders, replaced on this one object (setattr: a method is not assigned in typed code).
        setattr(excrepr, "toterminal", lambda writer: [writer.line(line) for line in lines])  # noqa: B010

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[KeyboardInterrupt | Exit]) -> None:
        if excinfo.errisinstance(KeyboardInterrupt):
            signal_name = self.process.signal_received if self.process is not None else None
            self.record.interrupted = signal_name or "SIGINT (Ctrl-C)"

    # Outermost: what it does after its yield comes after every other plugin's part, pytest's own teardown of session
    # fixtures (the cleanup), allure's results and pytest's own summary (its counts): the verdict is the last line.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self._finish(session, exitstatus)
            self._say_verdict()

    def _finish(self, session: pytest.Session, exitstatus: int) -> None:
        if (
            exitstatus == pytest.ExitCode.INTERRUPTED
            and self.record.interrupted is None
            and self.record.could_not_run is None
        ):
            self.record.interrupted = "pytest was interrupted"
        if self.record.interrupted is None and self.process is not None and self.process.signal_received:
            self.record.interrupted = self.process.signal_received  # its KeyboardInterrupt was swallowed on the way
        self._end_population()
        # Worker processes clean up after themselves; one that was lost could not. Not when the target is gone or
        # cleanup already failed: the run says to finish with `iam-conformance cleanup`, without waiting again.
        if (
            self.settings is not None
            and (self._used_workers or self.record.crashes)
            and not (self.record.gave_up or self.record.cleanup_problems)
        ):
            self._sweep()
        caller = self.settings.credential_kind if self.settings is not None and self._moto is None else None
        self.result = results.build(self.record, start.facts_of(self.settings, caller), self.started)
        if self.recorder is not None and self.settings is not None:
            problem = self.recorder.write(self.settings, self.result, self.redactor)
            if problem is not None:
                self.record.could_not_run = problem
                self.result = results.build(self.record, start.facts_of(self.settings, caller), self.started)
        written_to = self.settings.report_dir if self.settings is not None else self._unstarted_report_dir()
        if written_to is not None:
            from conformance.reports import writer as report

            staging = self.settings.allure_staging if self.settings is not None else None
            problem = report.write_all(self.result, self.redactor, written_to, staging)
            if problem is not None:
                self.record.could_not_run = problem
                self.result = results.build(self.record, start.facts_of(self.settings, caller), self.started)
        if self.handle is not None:
            self.handle.result = self.result
        if exitstatus not in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
            session.exitstatus = self.result.exit_code

    def _unstarted_report_dir(self) -> str | None:
        """Where a run that could not start leaves reports saying so (its options were valid), else None."""
        from conformance.config.settings import unstarted

        try:
            return unstarted(self._values).report_dir if self._values else None
        except (KeyError, TypeError, ValueError):
            return None

    def _say_verdict(self) -> None:
        if self.result is None:
            return
        from conformance.reports.console import console_lines, shown, verdict_line

        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        say = reporter.write_line if reporter is not None else print
        if self.settings is None or (self.record.could_not_run is not None and not self.record.tests):
            say(shown(f"iam-conformance: could not run: {self.record.could_not_run}"))
            say(shown(verdict_line(self.result)))
            return
        if self.recorder is not None and self.recorder.written is not None:
            say(shown(self.recorder.written))
        for line in console_lines(self.result.redacted(self.redactor), self.settings.report_dir):
            say(line)

    def _sweep(self) -> None:
        """Delete whatever is left under this run's own path (a lost worker's users), bounded."""
        settings = cast(RunSettings, self.settings)  # swept only when the run had settings
        if settings.read_only or settings.keep_resources:
            return
        from conformance.world.cleanup import sweep_run

        client = settings.client(deadline=time.monotonic() + SWEEP_GRACE_S)
        client.tap = self.recorder.after if self.recorder is not None else None
        try:
            self.record.cleanup_problems += sweep_run(client, settings.run_id)
        finally:
            self.record.requests += client.request_count
            client.close()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._moto is not None:
            self._moto.__exit__(None, None, None)
            self._moto = None
        if self.settings is not None and self.settings.allure_staging:
            shutil.rmtree(self.settings.allure_staging, ignore_errors=True)


class _Redacted:
    """A report's failure text, redacted when it is shown: by then every process's secrets have reached the owner,
    including those learned after this report arrived."""

    def __init__(self, text: str, redactor: Redactor) -> None:
        self.text, self.redactor = text, redactor

    def __str__(self) -> str:
        return neutralise(self.redactor.redact(self.text), keep_newlines=True)

    def toterminal(self, out: TerminalWriter) -> None:
        out.line(str(self))
