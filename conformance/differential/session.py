"""`iam-conformance diff`, from options to a DiffResult: the recording read and checked, the target resolved and
refused when it is real AWS without --allow-writes, preflighted as a run's is, the recording replayed one request at
a time within the run's bounds (its deadline, each call's budget, the body bound), everything the replay created
swept whatever happened (an error, Ctrl-C), then compared and judged.

Anything that stops the diff before the replay is a DiffError (one line, exit 2); a replay that stops half-way is an
incomplete result, with what it did see.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from botocore.credentials import Credentials

from conformance.config.options import OPTIONS
from conformance.config.settings import RunSettings, SettingsError, known_target, resolve, scope_line
from conformance.contract.spec import data_dir
from conformance.differential import allowlist
from conformance.differential.compare import compare
from conformance.differential.judging import Judged, judge_again
from conformance.differential.replay import WRITES, Replayed, Replayer
from conformance.errors import ConformanceError
from conformance.protocol.caller import Caller, CallerKind, caller_for
from conformance.protocol.client import OWN_KEY, IamClient, TargetUnreachable
from conformance.protocol.pace import Pace
from conformance.protocol.partitions import is_real_aws
from conformance.protocol.target import (
    EMBEDDED_CREDENTIALS,
    EmbeddedMoto,
    TargetError,
    caller_credentials,
    moto_version,
    resolve_endpoint,
)
from conformance.recording.differences import Aspect, Difference, DiffResult, Finding, RequestDiff
from conformance.recording.format import Recording, RecordingError, read
from conformance.results import baselines
from conformance.run.preflight import preflight
from conformance.safety.files import ReportDir, ReportDirError
from conformance.safety.redaction import Redactor
from conformance.world.cleanup import FINISH_LATER, sweep_run

CLEANUP_S = 120  # the sweep of what the replay created, after its deadline too


class DiffError(ConformanceError):
    """The diff cannot start: one line, exit 2."""


@dataclass(frozen=True)
class DiffOptions:
    recording: str
    endpoint_url: str | None = None
    region: str | None = None
    report_dir: str = "reports"
    strict: bool = False
    allow_writes: bool = False
    deadline: float = 900.0
    max_rps: float | None = None
    allowlist: str | None = None
    write_allowlist: str | None = None
    baseline: str | None = None


@dataclass(frozen=True)
class Prepared:
    recording: Recording
    allowed: dict[str, str]
    baseline: baselines.Baseline | None = None


def recording_folder(given: str) -> Path:
    """A recording's folder as given, else one shipped with the suite by that name (fixtures/recordings/)."""
    folder = Path(given)
    if folder.exists() or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", given):
        return folder
    shipped = data_dir("fixtures") / "recordings" / given
    return shipped if shipped.is_dir() else folder


def prepare(options: DiffOptions) -> Prepared:
    """Everything checked before anything is started or sent."""
    try:
        recording = read(recording_folder(options.recording))
        allowed = allowlist.load(options.allowlist)
        endpoint, origin = resolve_endpoint(options.endpoint_url)
        baseline = baselines.load(options.baseline, known_target(endpoint))
    except (RecordingError, allowlist.AllowlistError, TargetError, baselines.BaselineError) as exc:
        raise DiffError(str(exc)) from None
    if not recording.manifest.complete:
        reasons = "; ".join(recording.manifest.incomplete_reasons) or "incomplete"
        raise DiffError(f"{options.recording} records a run that did not finish ({reasons}): record it again")
    if endpoint is not None and is_real_aws(endpoint) and not options.allow_writes:
        raise DiffError(
            f"{endpoint} ({origin}) is real AWS: the replay creates (and deletes) users under /iam-conformance/ "
            "there. Pass --allow-writes to agree"
        )
    if options.write_allowlist is not None:
        if not Path(options.write_allowlist).resolve().parent.is_dir():
            raise DiffError(f"--write-allowlist {options.write_allowlist}: its folder does not exist")
    try:
        ReportDir.open(options.report_dir).close()
    except ReportDirError as exc:
        raise DiffError(f"--report-dir: {exc}") from None
    return Prepared(recording, allowed, baseline)


@contextlib.contextmanager
def target(options: DiffOptions) -> Iterator[tuple[str | None, Credentials, str]]:
    """(endpoint, credentials, label): the endpoint given, with the caller's credentials, or an embedded moto."""
    endpoint, _ = resolve_endpoint(options.endpoint_url)
    if endpoint is not None:
        yield endpoint, caller_credentials(), endpoint
        return
    with EmbeddedMoto() as moto:
        yield moto.url, EMBEDDED_CREDENTIALS, f"embedded moto {moto_version()}"


def settings_for(
    options: DiffOptions, endpoint: str, credentials: Credentials, label: str, seed: int | None
) -> RunSettings:
    values = {option.dest: option.default for option in OPTIONS}
    values.update(
        endpoint_url=endpoint,
        region=options.region,
        report_dir=options.report_dir,
        allow_writes=options.allow_writes,
        deadline=options.deadline,
        max_rps=options.max_rps,
    )
    try:
        settings = resolve(values, seed=seed or 0, in_ci=False)
    except (SettingsError, TargetError) as exc:
        raise DiffError(str(exc)) from None
    return dataclasses.replace(
        settings,
        access_key=credentials.access_key,
        secret_key=credentials.secret_key,
        session_token=credentials.token,
        target_label=label,
    )


def run(
    options: DiffOptions, prepared: Prepared, redactor: Redactor, say: Callable[[str], None] = lambda line: None
) -> DiffResult:
    """The diff; `redactor` learns every secret it meets (the caller's, those of the keys the target issues)."""
    started = time.time()
    recording = prepared.recording
    try:
        with target(options) as (endpoint, credentials, label):
            settings = settings_for(options, str(endpoint), credentials, label, recording.manifest.seed)
            reason = preflight(settings)
            if reason is not None:
                raise DiffError(f"could not run: {reason}")
            say(f"replaying {len(recording.exchanges)} recorded requests against {label}; {scope_line(settings)}")
            redactor.add(credentials.secret_key, credentials.token)
            return _replay(options, prepared, settings, credentials, redactor, started)
    except TargetError as exc:
        raise DiffError(str(exc)) from None


def _replay(
    options: DiffOptions,
    prepared: Prepared,
    settings: RunSettings,
    credentials: Credentials,
    redactor: Redactor,
    started: float,
) -> DiffResult:
    client = settings.client(pace=Pace(1, options.max_rps))
    replayer = Replayer(prepared.recording, client, credentials, redactor, settings.run_id)
    incomplete: list[str] = []
    cleanup: list[str] = []
    try:
        try:
            replayer.run()
        except TargetUnreachable as exc:
            incomplete.append(f"the replay stopped at request #{len(replayer.log) + 1}: {exc}")
        except KeyboardInterrupt:
            incomplete.append(f"interrupted at request #{len(replayer.log) + 1}")
        finally:
            client.deadline = time.monotonic() + CLEANUP_S
            client.gone = None
            try:
                cleanup = sweep_run(client, settings.run_id)
            except KeyboardInterrupt:
                cleanup = [f"cleanup interrupted: {FINISH_LATER} under /iam-conformance/{settings.run_id}-*/"]
        caller = _caller(settings, client)
        judged = judge_again(replayer, caller)
    finally:
        client.close()
    refused = refused_writes(replayer.log)
    requests = [_request_diff(entry, judged, replayer, redactor, refused) for entry in replayer.log]
    requests = _placed(requests, judged, replayer, redactor)
    requests = _known(requests, prepared.baseline)
    requests = allowlist.apply(requests, prepared.allowed)
    not_judged = sorted({j.not_judged for j in judged if j.not_judged})
    return DiffResult(
        manifest=prepared.recording.manifest,
        recording=options.recording,
        target=settings.target_label,
        started=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(started)),
        duration_s=round(time.time() - started, 2),
        strict=options.strict,
        allowlist=options.allowlist,
        baseline=prepared.baseline.label if prepared.baseline is not None else None,
        requests=tuple(requests),
        judgments=sum(1 for j in judged if j.not_judged is None),
        not_judged=tuple(redactor.redact(n)[:300] for n in not_judged),
        incomplete_reasons=tuple(redactor.redact(r) for r in incomplete),
        cleanup_problems=tuple(redactor.redact(p) for p in cleanup),
        sent=client.request_count,
    )


def _caller(settings: RunSettings, client: IamClient) -> Callable[[], Caller]:
    """Who the replay's credentials are, as the run's `caller` fixture asks (once, when a judgment needs it)."""
    found: list[Caller] = []

    def caller() -> Caller:
        if not found:
            try:
                found.append(caller_for(settings.caller_kind, lambda: client.call("GetUser", {})))
            except TargetUnreachable:
                found.append(Caller(CallerKind.UNKNOWN, None, "the target did not answer GetUser"))
        return found[0]

    return caller


def user_of(entry: Replayed) -> str | None:
    """Whose certificates a recorded request reads or writes (its UserName, else the user whose key signed it)."""
    request = entry.recorded.request
    named = request.params.get("UserName")
    if named is None and request.signed_by.label.startswith(OWN_KEY):
        named = request.signed_by.label[len(OWN_KEY) :]
    return named


def refused_writes(log: list[Replayed]) -> dict[str, Replayed]:
    """User -> the first write of it the recording made (a 2xx) and the new target refused or the replay did not
    send: what the recording's later expectations of that user took for done."""
    refused: dict[str, Replayed] = {}
    for entry in log:
        user = user_of(entry)
        if user is None or entry.recorded.request.action not in WRITES or user in refused:
            continue
        if 200 <= entry.recorded.answer.status < 300 and (entry.answer is None or not 200 <= entry.answer.status < 300):
            refused[user] = entry
    return refused


def _finding(judged: Judged, replayer: Replayer, redactor: Redactor, refused: Replayed | None = None) -> Finding:
    deviation = judged.deviation
    assert deviation is not None
    text = replayer.placeholders.text
    after = None
    if refused is not None:
        request = refused.recorded.request
        after = f"#{refused.recorded.seq} {request.action} of {request.params.get('UserName', '')}"
    return Finding(
        requirement=judged.judgment.requirement,
        check=deviation.check or judged.judgment.check,
        expected=redactor.redact(text(deviation.expected))[:2000],
        actual=redactor.redact(text(deviation.actual))[:2000],
        recorded_verdict=judged.judgment.verdict,
        after_refused_write=after,
    )


def _request_diff(
    entry: Replayed, judged: list[Judged], replayer: Replayer, redactor: Redactor, refused: dict[str, Replayed]
) -> RequestDiff:
    recorded = entry.recorded
    user = user_of(entry)
    earlier = refused.get(user) if user is not None else None
    earlier = earlier if earlier is not None and earlier.recorded.seq < recorded.seq else None
    findings: list[Finding] = []
    for found in judged:
        if found.deviation is not None and found.seq == recorded.seq:
            finding = _finding(found, replayer, redactor, earlier)
            if finding not in findings:
                findings.append(finding)
    differences: list[Difference] = []
    noise: tuple[str, ...] = ()
    if entry.not_sent is not None or entry.answer is None:
        differences.append(Difference(Aspect.NOT_SENT, "", "sent", redactor.redact(entry.not_sent or "not sent")))
    else:
        compared = compare(recorded.answer, entry.answer)
        differences += compared.differences
        noise = tuple(sorted(compared.noise))
        if entry.extra:
            said = f"{len(entry.extra)} more page(s), walked on as the suite's walker would"
            differences.append(Difference(Aspect.PAGES, "", "the last page of its listing", said))
    return RequestDiff(
        seq=recorded.seq,
        test=recorded.test,
        phase=recorded.phase,
        action=recorded.request.action,
        method=recorded.request.method,
        params=recorded.request.params,
        signed_by=recorded.request.signed_by.label,
        recorded=recorded.answer,
        new=entry.answer,
        differences=tuple(differences),
        findings=tuple(findings),
        noise=noise,
        extra_pages=len(entry.extra),
    )


def _placed(
    requests: list[RequestDiff], judged: list[Judged], replayer: Replayer, redactor: Redactor
) -> list[RequestDiff]:
    """A deviation whose request the replay cannot name goes on its test's first request (never lost)."""
    unplaced = [j for j in judged if j.deviation is not None and j.seq is None]
    for found in unplaced:
        index = next((i for i, r in enumerate(requests) if r.test == found.judgment.test), 0 if requests else None)
        if index is not None:
            request = requests[index]
            requests[index] = dataclasses.replace(
                request, findings=(*request.findings, _finding(found, replayer, redactor))
            )
    return requests


def _known(requests: list[RequestDiff], baseline: baselines.Baseline | None) -> list[RequestDiff]:
    """Contract findings of a requirement the baseline lists, marked known with its reason (as a run's gate does)."""
    if baseline is None:
        return requests
    expected = baseline.expected_failures
    return [
        dataclasses.replace(
            request,
            findings=tuple(dataclasses.replace(f, known=expected.get(f.requirement or "")) for f in request.findings),
        )
        for request in requests
    ]
