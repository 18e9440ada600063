"""What `iam-conformance diff` found (conformance.differential), as its reports render it: per replayed request, the
recorded and the new answer (both normalised), how they differ, and which requirement the new answer breaks.

Every difference has a class: contract (the new answer breaks a requirement: a registered check the recorded run
made fails on it), behaviour (both answers are legal; the recording shows what the recorded target did), or noise
(values that differ on every run, normalised away: RequestIds, dates, Markers, ids).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from conformance.errors import ExitCode
from conformance.recording.format import Manifest, RecordedAnswer

MEMBER_ID = re.compile(r"\[[^\]]*\]")  # a member's id in a path: member[⟦certificate-3⟧]


class DifferenceClass(StrEnum):
    CONTRACT = "contract"
    BEHAVIOUR = "behaviour"
    NOISE = "noise"


class Aspect(StrEnum):
    NOT_SENT = "not sent"
    STATUS = "status"
    CONTENT_TYPE = "content type"
    REQUEST_ID_HEADER = "x-amzn-RequestId header"
    DOCUMENT = "document"  # XML or not, and which root element
    DECLARATION = "XML declaration"
    NAMESPACE = "namespace"
    PREFIX = "namespace prefix"
    ERROR_CODE = "error code"
    ERROR_TYPE = "error type"
    MESSAGE = "message"
    ELEMENT_SET = "element set"
    ELEMENT_ORDER = "element order"
    TRUNCATION = "IsTruncated"
    MARKER = "Marker"
    PAGES = "pages"
    VALUE = "value"
    BODY = "body"  # the text of a body that is no XML document


@dataclass(frozen=True)
class Difference:
    aspect: Aspect
    where: str  # an element's path (members named by their id), or "" for the answer as a whole
    recorded: str
    new: str
    allowed: str | None = None  # the allow-list's reason, when it lists this difference

    def key(self, action: str) -> str:
        """What an allow-list names: the action, the aspect and the place, members not told apart."""
        return f"{action} {self.aspect} {MEMBER_ID.sub('', self.where)}".strip()


@dataclass(frozen=True)
class Finding:
    """A requirement the new answer breaks: the registered check the recorded run made, failing on it."""

    requirement: str | None
    check: str
    expected: str
    actual: str
    recorded_verdict: str  # what the same check said of the recorded answer
    after_refused_write: str | None = None  # a write of the same user the recording made and the target refused
    known: str | None = None  # the baseline's reason, when it lists the requirement as a known deviation


@dataclass(frozen=True)
class RequestDiff:
    seq: int
    test: str | None
    phase: str
    action: str
    method: str
    params: dict[str, str]
    signed_by: str
    recorded: RecordedAnswer
    new: RecordedAnswer | None  # None: not sent
    differences: tuple[Difference, ...] = ()
    findings: tuple[Finding, ...] = ()
    noise: tuple[str, ...] = ()  # kinds of values that differed only as normalised away
    extra_pages: int = 0  # pages the new target gave after this one, beyond the recording

    @property
    def difference_class(self) -> DifferenceClass | None:
        if self.findings:
            return DifferenceClass.CONTRACT
        if self.differences:
            return DifferenceClass.BEHAVIOUR
        return DifferenceClass.NOISE if self.noise else None

    @property
    def unallowed(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.allowed is None)

    @property
    def unexpected(self) -> tuple[Finding, ...]:
        """Contract findings the baseline does not list."""
        return tuple(f for f in self.findings if f.known is None)


@dataclass(frozen=True)
class DiffResult:
    manifest: Manifest
    recording: str  # the folder it was read from
    target: str
    started: str  # ISO-8601, UTC
    duration_s: float
    strict: bool
    allowlist: str | None
    baseline: str | None
    requests: tuple[RequestDiff, ...]  # every replayed request, in order
    judgments: int  # judgments of the recording judged again on the new answers
    not_judged: tuple[str, ...] = ()  # why some could not be (a request not sent, an argument not rebuilt), distinct
    incomplete_reasons: tuple[str, ...] = ()
    cleanup_problems: tuple[str, ...] = ()
    sent: int = 0  # requests sent to the target, extra pages included
    counts: dict[str, int] = field(default_factory=dict)

    def of(self, kind: DifferenceClass) -> list[RequestDiff]:
        return [r for r in self.requests if r.difference_class == kind]

    @property
    def contract(self) -> list[RequestDiff]:
        return self.of(DifferenceClass.CONTRACT)

    @property
    def behaviour(self) -> list[RequestDiff]:
        return self.of(DifferenceClass.BEHAVIOUR)

    @property
    def behaviour_unallowed(self) -> list[RequestDiff]:
        return [r for r in self.behaviour if r.unallowed]

    @property
    def contract_unexpected(self) -> list[RequestDiff]:
        return [r for r in self.contract if r.unexpected]

    @property
    def exit_code(self) -> ExitCode:
        """1: a contract difference the baseline does not list (or, with --strict, a behaviour difference the
        allow-list does not name); else 2 when the replay could not finish; else 0."""
        if self.contract_unexpected or (self.strict and self.behaviour_unallowed):
            return ExitCode.NONCONFORMANT
        return ExitCode.INCOMPLETE if self.incomplete_reasons else ExitCode.OK

    @property
    def conclusion(self) -> str:
        contract, behaviour = len(self.contract), len(self.behaviour)
        known = contract - len(self.contract_unexpected)
        allowed = len(self.behaviour) - len(self.behaviour_unallowed)
        noise = len(self.of(DifferenceClass.NOISE))
        said = (
            f"{contract} contract{f' ({known} known)' if self.baseline else ''}, {behaviour} behaviour "
            f"({allowed} allowed), {noise} noise only, of {len(self.requests)} requests"
        )
        if self.incomplete_reasons:
            said += f"; incomplete: {'; '.join(self.incomplete_reasons)}"
        return f"diff: {said} — exit {int(self.exit_code)}"

    def by_key(self) -> list[dict[str, Any]]:
        """Behaviour differences grouped by their allow-list key: how many requests, and the first one's values."""
        grouped: dict[str, dict[str, Any]] = {}
        for request in self.behaviour:
            for difference in request.differences:
                key = difference.key(request.action)
                if key not in grouped:
                    grouped[key] = {
                        "key": key,
                        "aspect": difference.aspect.value,
                        "requests": 0,
                        "first": request.seq,
                        "recorded": difference.recorded,
                        "new": difference.new,
                        "allowed": difference.allowed,
                    }
                grouped[key]["requests"] += 1
        return sorted(grouped.values(), key=lambda group: int(group["first"]))

    def to_dict(self) -> dict[str, Any]:
        """diff.json: every request that differs in anything, noise included, and the totals."""
        shown = [r for r in self.requests if r.difference_class is not None]
        return {
            "format": "iam-conformance-diff",
            "version": 1,
            "recording": {
                "folder": self.recording,
                **{k: v for k, v in asdict(self.manifest).items() if k != "sha256"},
            },
            "target": self.target,
            "started": self.started,
            "duration_s": self.duration_s,
            "strict": self.strict,
            "allowlist": self.allowlist,
            "baseline": self.baseline,
            "exit_code": int(self.exit_code),
            "conclusion": self.conclusion,
            "incomplete_reasons": list(self.incomplete_reasons),
            "cleanup_problems": list(self.cleanup_problems),
            "requests_replayed": len(self.requests),
            "requests_sent": self.sent,
            "judgments_judged": self.judgments,
            "not_judged": list(self.not_judged),
            "counts": {kind.value: len(self.of(kind)) for kind in DifferenceClass},
            "behaviour_by_key": self.by_key(),
            "differences": [{"class": r.difference_class, **_request(r)} for r in shown],
        }


def _request(request: RequestDiff) -> dict[str, Any]:
    found = asdict(request)
    found["differences"] = [{**asdict(d), "key": d.key(request.action)} for d in request.differences]
    return found
