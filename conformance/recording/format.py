"""The files of a recording, version 1 (docs/differential.md; schemas/recording.schema.json):

- manifest.json: what was recorded (suite version, seed, profile, target, region, caller, verdict, when), how many
  exchanges and judgments, the placeholders bound per kind, and the SHA-256 of each other file;
- exchanges.jsonl: one exchange per line, in the order they are replayed: the step that sent it, the request (action,
  method, parameters, who signed it and how) and the answer (status, content type, the x-amzn-RequestId header,
  the body), every value normalised (conformance.recording.placeholders);
- judgments.jsonl: one check a test ran per line, with what it was given, exchanges named by their `seq`.

Reading is bounded and strict: a file that is not what this module writes is a RecordingError (one line, exit 2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError
from conformance.safety.files import ReportDir, ReportDirError, ReportFileError, read_json

FORMAT = "iam-conformance-recording"
VERSION = 1
MANIFEST, EXCHANGES, JUDGMENTS = "manifest.json", "exchanges.jsonl", "judgments.jsonl"
MAX_FILE_BYTES = 64 << 20  # a thorough run's recording is a few MiB
MAX_LINE_DEPTH = 32


class RecordingError(ConformanceError):
    """A recording that cannot be written, read, or used: one line with the reason."""


class SignerKind(StrEnum):
    CALLER = "caller"  # the run's own credentials
    UNSIGNED = "unsigned"
    WRONG_SECRET = "caller-key-wrong-secret"  # the caller's key id (and token) with a secret that is not its own
    CREATED_KEY = "created-key"  # an access key the run created (`key` names it)
    UNKNOWN_KEY = "unknown-key"  # a key id nobody issued (`key` names it)


@dataclass(frozen=True)
class SignedBy:
    kind: SignerKind
    label: str  # what the suite called the identity (reports show it)
    key: str | None = None  # the access key's placeholder, for CREATED_KEY and UNKNOWN_KEY


@dataclass(frozen=True)
class SigningRecord:
    """conformance.protocol.signing.Signing as data: `at_offset_s` is the signing moment relative to the sending."""

    params: dict[str, str] | None = None
    at_offset_s: int | None = None
    rewrite: str | None = None  # how the Authorization header was rewritten (protocol.signing.AUTHORIZATION_REWRITES)
    service: str = "iam"
    drop_headers: tuple[str, ...] = ()
    payload_hash: bool = False  # the signed body's hash declared in X-Amz-Content-SHA256
    region: str | None = None  # the credential scope's region, when not the endpoint's
    percent_encoded: tuple[str, ...] = ()  # parameters sent as recorded, already percent-encoded


@dataclass(frozen=True)
class RecordedRequest:
    action: str
    method: str
    params: dict[str, str]  # without Action and Version
    signed_by: SignedBy
    signing: SigningRecord | None = None


@dataclass(frozen=True)
class RecordedAnswer:
    status: int
    content_type: str | None
    request_id_header: str | None  # the x-amzn-RequestId header, normalised; None when absent
    body: str  # an XML document re-serialised with its values normalised, or the text of any other body
    xml: bool
    declaration: bool = False  # the XML document began with an XML declaration
    truncated: bool = False  # cut at the suite's body bound


@dataclass(frozen=True)
class RecordedExchange:
    seq: int  # 1, 2, ... in replay order
    test: str | None  # the test that sent it; None: the run's own set-up or cleanup
    phase: str  # setup | call | teardown | session
    request: RecordedRequest
    answer: RecordedAnswer


@dataclass(frozen=True)
class RecordedJudgment:
    test: str
    requirement: str | None
    check: str  # a registered check's name (conformance.checks.REGISTRY)
    args: list[Any]  # encoded values (conformance.recording.capture.encode), exchanges as {"exchange": seq}
    kwargs: dict[str, Any]
    verdict: str  # held | deviation | nothing to judge, in the recorded run
    unencodable: str | None = None  # why the arguments could not be recorded (then args is empty)


@dataclass(frozen=True)
class Manifest:
    suite_version: str
    recorded_at: str  # ISO-8601, UTC
    seed: int | None
    profile: str
    target: str
    region: str
    caller: str  # long-term | temporary | unknown
    verdict: str  # the recorded run's
    complete: bool
    incomplete_reasons: list[str]
    strict_schema: bool
    exchanges: int
    judgments: int
    placeholders: dict[str, int]  # how many of each kind were bound
    sha256: dict[str, str] = field(default_factory=dict)  # file name -> digest
    format: str = FORMAT
    version: int = VERSION


@dataclass(frozen=True)
class Recording:
    manifest: Manifest
    exchanges: tuple[RecordedExchange, ...]
    judgments: tuple[RecordedJudgment, ...]


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _without_defaults(record: Any) -> dict[str, Any]:
    """A record as a dict, leaving out what is empty (smaller files; the reader fills the defaults in)."""
    return {k: v for k, v in asdict(record).items() if v not in (None, (), [], {}, False) or k in ("xml", "status")}


def exchange_line(exchange: RecordedExchange) -> str:
    request = exchange.request
    wire: dict[str, Any] = {
        "seq": exchange.seq,
        "test": exchange.test,
        "phase": exchange.phase,
        "request": {
            "action": request.action,
            "method": request.method,
            "params": request.params,
            "signed_by": _without_defaults(request.signed_by),
            **({"signing": _without_defaults(request.signing)} if request.signing else {}),
        },
        "answer": _without_defaults(exchange.answer),
    }
    return _line(wire)


def write(folder: str | Path, recording: Recording) -> Manifest:
    """Write the recording into `folder` (created, never through a link); returns the manifest as written."""
    exchanges = "".join(exchange_line(e) + "\n" for e in recording.exchanges)
    judgments = "".join(_line(_without_defaults(j)) + "\n" for j in recording.judgments)
    digests = {
        EXCHANGES: hashlib.sha256(exchanges.encode("utf-8")).hexdigest(),
        JUDGMENTS: hashlib.sha256(judgments.encode("utf-8")).hexdigest(),
    }
    manifest = Manifest(**{**asdict(recording.manifest), "sha256": digests})
    try:
        with ReportDir.open(folder) as directory:
            directory.write_text(EXCHANGES, exchanges)
            directory.write_text(JUDGMENTS, judgments)
            directory.write_text(MANIFEST, json.dumps(asdict(manifest), indent=2, ensure_ascii=False) + "\n")
    except ReportDirError as exc:
        raise RecordingError(f"cannot write the recording into {folder}: {exc}") from None
    return manifest


# -- reading --------------------------------------------------------------------------------------------------------
def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RecordingError(f"{where}: expected {names}, found {type(value).__name__}")
    return value


def _fields(value: Any, where: str, known: set[str]) -> dict[str, Any]:
    """An object of the format: a field this version does not have means a file this suite did not write."""
    found: dict[str, Any] = _expect(value, dict, where)
    unknown = sorted(set(found) - known)
    if unknown:
        raise RecordingError(f"{where}: no field {unknown[0][:40]!r} in a recording of version {VERSION}")
    return found


def _strings(value: Any, where: str) -> dict[str, str]:
    found = _expect(value, dict, where)
    for key, item in found.items():
        _expect(item, str, f"{where}.{key}")
    return dict(found)


def _optional(value: Any, kind: type, where: str) -> Any:
    return None if value is None else _expect(value, kind, where)


def _signed_by(wire: Any, where: str) -> SignedBy:
    wire = _fields(wire, where, {"kind", "label", "key"})
    try:
        kind = SignerKind(wire.get("kind"))
    except ValueError:
        raise RecordingError(f"{where}.kind: not a signer kind: {str(wire.get('kind'))[:40]!r}") from None
    return SignedBy(kind, _expect(wire.get("label", ""), str, f"{where}.label"), _optional(wire.get("key"), str, where))


def _signing(wire: Any, where: str) -> SigningRecord | None:
    if wire is None:
        return None
    wire = _fields(
        wire,
        where,
        {"params", "at_offset_s", "rewrite", "service", "drop_headers", "payload_hash", "percent_encoded", "region"},
    )
    params = wire.get("params")
    drop = _expect(wire.get("drop_headers", []), list, f"{where}.drop_headers")
    encoded = _expect(wire.get("percent_encoded", []), list, f"{where}.percent_encoded")
    return SigningRecord(
        params=None if params is None else _strings(params, f"{where}.params"),
        at_offset_s=_optional(wire.get("at_offset_s"), int, f"{where}.at_offset_s"),
        rewrite=_optional(wire.get("rewrite"), str, f"{where}.rewrite"),
        service=_expect(wire.get("service", "iam"), str, f"{where}.service"),
        drop_headers=tuple(_expect(name, str, f"{where}.drop_headers") for name in drop),
        payload_hash=_expect(wire.get("payload_hash", False), bool, f"{where}.payload_hash"),
        percent_encoded=tuple(_expect(name, str, f"{where}.percent_encoded") for name in encoded),
        region=_optional(wire.get("region"), str, f"{where}.region"),
    )


def exchange_from(wire: Any, where: str) -> RecordedExchange:
    wire = _fields(wire, where, {"seq", "test", "phase", "request", "answer"})
    request = _fields(wire.get("request"), f"{where}.request", {"action", "method", "params", "signed_by", "signing"})
    answer = _fields(
        wire.get("answer"),
        f"{where}.answer",
        {"status", "content_type", "request_id_header", "body", "xml", "declaration", "truncated"},
    )
    return RecordedExchange(
        seq=_expect(wire.get("seq"), int, f"{where}.seq"),
        test=_optional(wire.get("test"), str, f"{where}.test"),
        phase=_expect(wire.get("phase"), str, f"{where}.phase"),
        request=RecordedRequest(
            action=_expect(request.get("action"), str, f"{where}.request.action"),
            method=_expect(request.get("method"), str, f"{where}.request.method"),
            params=_strings(request.get("params", {}), f"{where}.request.params"),
            signed_by=_signed_by(request.get("signed_by"), f"{where}.request.signed_by"),
            signing=_signing(request.get("signing"), f"{where}.request.signing"),
        ),
        answer=RecordedAnswer(
            status=_expect(answer.get("status"), int, f"{where}.answer.status"),
            content_type=_optional(answer.get("content_type"), str, f"{where}.answer.content_type"),
            request_id_header=_optional(answer.get("request_id_header"), str, f"{where}.answer.request_id_header"),
            body=_expect(answer.get("body", ""), str, f"{where}.answer.body"),
            xml=_expect(answer.get("xml", False), bool, f"{where}.answer.xml"),
            declaration=_expect(answer.get("declaration", False), bool, f"{where}.answer.declaration"),
            truncated=_expect(answer.get("truncated", False), bool, f"{where}.answer.truncated"),
        ),
    )


def judgment_from(wire: Any, where: str) -> RecordedJudgment:
    wire = _fields(wire, where, {"test", "requirement", "check", "args", "kwargs", "verdict", "unencodable"})
    return RecordedJudgment(
        test=_expect(wire.get("test"), str, f"{where}.test"),
        requirement=_optional(wire.get("requirement"), str, f"{where}.requirement"),
        check=_expect(wire.get("check"), str, f"{where}.check"),
        args=_expect(wire.get("args", []), list, f"{where}.args"),
        kwargs=_expect(wire.get("kwargs", {}), dict, f"{where}.kwargs"),
        verdict=_expect(wire.get("verdict"), str, f"{where}.verdict"),
        unencodable=_optional(wire.get("unencodable"), str, f"{where}.unencodable"),
    )


def manifest_from(wire: Any, where: str) -> Manifest:
    wire = _expect(wire, dict, where)
    if wire.get("format") != FORMAT:
        raise RecordingError(f"{where} is not a recording of iam-conformance (format {str(wire.get('format'))[:40]!r})")
    if wire.get("version") != VERSION:
        raise RecordingError(
            f"{where}: recording format version {str(wire.get('version'))[:20]}, this suite reads version {VERSION}: "
            "record again with this suite"
        )
    counts = _expect(wire.get("placeholders", {}), dict, f"{where}.placeholders")
    return Manifest(
        suite_version=_expect(wire.get("suite_version"), str, f"{where}.suite_version"),
        recorded_at=_expect(wire.get("recorded_at"), str, f"{where}.recorded_at"),
        seed=_optional(wire.get("seed"), int, f"{where}.seed"),
        profile=_expect(wire.get("profile"), str, f"{where}.profile"),
        target=_expect(wire.get("target"), str, f"{where}.target"),
        region=_expect(wire.get("region"), str, f"{where}.region"),
        caller=_expect(wire.get("caller"), str, f"{where}.caller"),
        verdict=_expect(wire.get("verdict"), str, f"{where}.verdict"),
        complete=_expect(wire.get("complete"), bool, f"{where}.complete"),
        incomplete_reasons=[str(r) for r in _expect(wire.get("incomplete_reasons", []), list, where)],
        strict_schema=_expect(wire.get("strict_schema", False), bool, f"{where}.strict_schema"),
        exchanges=_expect(wire.get("exchanges"), int, f"{where}.exchanges"),
        judgments=_expect(wire.get("judgments"), int, f"{where}.judgments"),
        placeholders={str(k): _expect(v, int, f"{where}.placeholders.{k}") for k, v in counts.items()},
        sha256=_strings(wire.get("sha256", {}), f"{where}.sha256"),
    )


def _lines(folder: Path, name: str, digest: str | None) -> list[Any]:
    path = folder / name
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise RecordingError(f"{path} is larger than {MAX_FILE_BYTES} bytes: not a recording")
    if digest != hashlib.sha256(data).hexdigest():
        raise RecordingError(f"{path} does not match the SHA-256 its manifest gives: the recording was changed or cut")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordingError(f"{path} is not UTF-8 text") from None
    found = []
    # Lines end at "\n" only: str.splitlines would also cut at U+2028, U+0085 and the like, which JSON keeps raw in a
    # string (a parameter the suite sent may hold them).
    for number, line in enumerate(text.removesuffix("\n").split("\n") if text else [], start=1):
        if line.count("{") + line.count("[") > 100_000:
            raise RecordingError(f"{path} line {number}: nested too deeply")
        try:
            found.append(json.loads(line, parse_constant=_no_constant))
        except (ValueError, RecursionError):
            raise RecordingError(f"{path} line {number} is not JSON") from None
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read(folder: str | Path) -> Recording:
    """The recording in `folder`, every file checked; RecordingError (one line) when it is not one this suite wrote."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RecordingError(f"{folder} is not a folder holding a recording ({MANIFEST}, {EXCHANGES}, {JUDGMENTS})")
    try:
        manifest = manifest_from(read_json(folder / MANIFEST, limit=1 << 20, depth=8), str(folder / MANIFEST))
    except ReportFileError as exc:
        raise RecordingError(str(exc)) from None
    exchanges = tuple(
        exchange_from(line, f"{EXCHANGES} line {n}")
        for n, line in enumerate(_lines(folder, EXCHANGES, manifest.sha256.get(EXCHANGES)), start=1)
    )
    judgments = tuple(
        judgment_from(line, f"{JUDGMENTS} line {n}")
        for n, line in enumerate(_lines(folder, JUDGMENTS, manifest.sha256.get(JUDGMENTS)), start=1)
    )
    if [e.seq for e in exchanges] != list(range(1, len(exchanges) + 1)):
        raise RecordingError(f"{folder / EXCHANGES}: exchanges are not numbered 1, 2, ... in order")
    if (len(exchanges), len(judgments)) != (manifest.exchanges, manifest.judgments):
        raise RecordingError(f"{folder}: the manifest counts other exchanges or judgments than the files hold")
    return Recording(manifest, exchanges, judgments)
