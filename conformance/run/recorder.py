"""`run --record DIR`, the owner's part: every process's share of the recording (conformance.recording.capture)
arrives on the test reports; the owner adds its own calls (the population it makes for xdist workers, the final
sweep), merges them into one recording when the run ends, and writes it (conformance.recording.assemble)."""

from __future__ import annotations

import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from conformance.recording.assemble import OWNER_AFTER, OWNER_BEFORE, Assembler
from conformance.recording.capture import Capture
from conformance.recording.format import Manifest, RecordingError, write

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings
    from conformance.results.result import RunResult
    from conformance.safety.redaction import Redactor


def suite_version() -> str:
    try:
        return version("iam-conformance")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown"


class RunRecorder:
    def __init__(self, settings: RunSettings) -> None:
        self.assembler = Assembler()
        self.before = Capture(OWNER_BEFORE, settings.access_key, settings.secret_key)  # the owner's population
        self.after = Capture(OWNER_AFTER, settings.access_key, settings.secret_key)  # its removal, the sweep
        self.started = datetime.datetime.now(datetime.UTC)
        self.written: str | None = None  # what the run says of its recording, once written

    def add(self, part: dict[str, Any]) -> None:
        """A process's share, from one test report."""
        self.assembler.add(part.get("exchanges", []), part.get("judgments", []))

    def write(self, settings: RunSettings, result: RunResult, redactor: Redactor) -> str | None:
        """Write the recording into --record's folder; why it could not be written, or None. A run that sent nothing
        (it could not start) leaves no recording."""
        self.assembler.add(self.before.drain() + self.after.drain())
        if self.assembler.empty or settings.record_dir is None:
            return None

        def manifest(counts: dict[str, int], exchanges: int, judgments: int) -> Manifest:
            return Manifest(
                suite_version=suite_version(),
                recorded_at=self.started.isoformat(timespec="seconds"),
                seed=settings.seed,
                profile=settings.profile,
                target=redactor.redact(settings.target_label),
                region=settings.region,
                caller=settings.caller_kind,
                verdict=result.verdict.value,
                complete=not result.incomplete_reasons,
                incomplete_reasons=[redactor.redact(r) for r in result.incomplete_reasons],
                strict_schema=settings.strict_schema,
                exchanges=exchanges,
                judgments=judgments,
                placeholders=counts,
            )

        try:
            recording = self.assembler.build(manifest, settings.run_id, settings.access_key, redactor)
            write(settings.record_dir, recording)
        except RecordingError as exc:
            return str(exc)
        facts = recording.manifest
        self.written = (
            f"recording: {facts.exchanges} exchanges and {facts.judgments} judgments in {settings.record_dir}/"
            + ("" if facts.complete else " (of a run that did not finish: diff refuses it)")
        )
        return None
