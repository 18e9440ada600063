"""The differential probe: one fixed request sequence, answers normalised, compared step by step.

A surviving mutant counts as equivalent only if this probe sees no difference on the wire between it and the
unmutated reference. The sequence (`mutation.probe_sequence`) is broader than the suite's own requests. Each
answer is reduced to (status, Content-Type, request-id header, body) with what legitimately differs between
two runs replaced by placeholders numbered in order of first appearance, so identity is kept (the same
certificate id twice is the same placeholder twice):

- ids, request ids and secrets (CertificateId, UserId, AccessKeyId, SecretAccessKey, RequestId): placeholder
  when the value has the reference's form; otherwise the raw value stays in, so a changed format shows;
- markers: opaque, so only whether one satisfies the page's constraints (1-320 chars of \\u0020-\\u00FF) is kept;
- dates: ISO dates within the probe's run become `<now>` (their fraction digits kept as a count), SigV4
  timestamps, today's credential-scope day and hex signatures (echoed in some error messages) are replaced.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

VOLATILE_FORMS = {  # element (or header) -> the form the reference gives it
    "RequestId": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "CertificateId": re.compile(r"[A-Z0-9]{32}"),
    "UserId": re.compile(r"AIDA[A-Z0-9]{17}"),
    "AccessKeyId": re.compile(r"AKIA[A-Z0-9]{16}"),
    "SecretAccessKey": re.compile(r"[A-Za-z0-9+/]{40}"),
    "Marker": re.compile("[\u0020-\u00ff]{1,320}"),  # the page's constraints, nothing about the contents
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
_AMZ_TIMESTAMP = re.compile(r"\b\d{8}T\d{6}Z\b")
_HEX_SIGNATURE = re.compile(r"\b[0-9a-f]{64}\b")
_CLOCK_SLACK = timedelta(seconds=3)
EXCERPT_CHARS = 700


@dataclass(frozen=True)
class Step:
    """One request of the probe and its normalised answer."""

    label: str
    request: str
    status: str
    content_type: str
    request_id: str
    body: str

    def as_dict(self) -> dict:
        return asdict(self)

    def excerpt(self, start: int = 0) -> dict:
        """The step, its body cut to EXCERPT_CHARS from `start`."""
        shown = asdict(self)
        del shown["label"], shown["request"]
        body = self.body[start:start + EXCERPT_CHARS]
        shown["body"] = ("…" if start else "") + body + ("…" if start + EXCERPT_CHARS < len(self.body) else "")
        return shown


@dataclass(frozen=True)
class Difference:
    """The first request whose normalised answer differs between the two targets."""

    index: int
    expected: Step | None  # None: the reference's sequence had already ended
    actual: Step | None  # None: the probe could not go on against the mutant (why is in `reason`)
    reason: str = ""

    def as_dict(self) -> dict:
        start = 0
        if self.expected is not None and self.actual is not None:  # show both bodies from where they part
            common = next((i for i, (a, b) in enumerate(zip(self.expected.body, self.actual.body)) if a != b),
                          min(len(self.expected.body), len(self.actual.body)))
            start = max(0, common - 150)
        step = self.expected or self.actual
        return {"index": self.index, "reason": self.reason, "label": step.label if step else "",
                "request": step.request if step else "",
                "expected": self.expected.excerpt(start) if self.expected else None,
                "actual": self.actual.excerpt(start) if self.actual else None}


class Diverged(Exception):
    def __init__(self, difference: Difference) -> None:
        super().__init__(f"probe step {difference.index} differs")
        self.difference = difference


class Normaliser:
    """Placeholders for what two correct runs may legitimately disagree on (see the module docstring)."""

    def __init__(self, started: datetime) -> None:
        self.started = started
        self.tokens: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        days = (started + timedelta(days=d) for d in (-1, 0, 1))
        self.scope_days = {day.strftime("%Y%m%d") for day in days}

    def register(self, kind: str, value: str | None) -> None:
        if not value or value in self.tokens:
            return
        self.counts[kind] += 1
        number = self.counts[kind]
        if VOLATILE_FORMS[kind].fullmatch(value):
            self.tokens[value] = f"<{kind}-{number}>"
        elif kind == "Marker":  # opaque, but out of the page's bounds: that much is kept
            self.tokens[value] = f"<Marker-{number} invalid: {len(value)} chars>"
        else:  # an unexpected form: keep the value itself, so the difference shows
            self.tokens[value] = f"<{kind}-{number} unexpected form {value!r}>"

    def alias(self, value: str, placeholder: str) -> None:
        """A fixed value shown by name (the probe's own certificate bodies), for readable excerpts."""
        self.tokens.setdefault(value, placeholder)

    def _date(self, match: re.Match) -> str:
        text = match.group(0)
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        if not self.started - _CLOCK_SLACK <= when <= datetime.now(timezone.utc) + _CLOCK_SLACK:
            return text  # a fixed date (the root's creation) or a wrong one: compared as it is
        fraction = match.group(1) or ""
        return f"<now{'.' + str(len(fraction) - 1) if fraction else ''}{match.group(2) or ''}>"

    def text(self, value: str) -> str:
        for token in sorted(self.tokens, key=len, reverse=True):
            placeholder = self.tokens[token]
            value = value.replace(token, placeholder)
            escaped = escape(token, {'"': "&quot;"})
            if escaped != token:
                value = value.replace(escaped, placeholder)
        value = _ISO_DATE.sub(self._date, value)
        value = _AMZ_TIMESTAMP.sub("<amz-timestamp>", value)
        value = _HEX_SIGNATURE.sub("<hex64>", value)
        for day in self.scope_days:
            value = value.replace(f"/{day}/", "/<scope-day>/").replace(f"'{day}'", "'<scope-day>'")
        return value


def _first_divergence(expected: list[Step] | None, actual: list[Step]) -> Difference | None:
    if expected is None:
        return None
    index = len(actual) - 1
    if index >= len(expected):
        return Difference(index, None, actual[index], "the mutant's sequence is longer than the reference's")
    if expected[index] != actual[index]:
        return Difference(index, expected[index], actual[index])
    return None


@dataclass
class ProbeResult:
    steps: list[Step]
    difference: Difference | None
    finished: bool  # the whole sequence ran (or it stopped at the first difference)

    def summary(self) -> dict:
        return {"requests": len(self.steps), "finished": self.finished,
                "difference": self.difference.as_dict() if self.difference else None}


def run_probe(app: Callable | None, expected: list[Step] | None = None, url: str | None = None) -> ProbeResult:
    """Send the probe's sequence to `app` (in-process; or to the server at `url`). With `expected` (the
    reference's steps), stop at the first difference."""
    from mutation.probe_sequence import Prober, walk

    prober = Prober(app, check=lambda steps: _check(expected, steps), url=url)
    try:
        walk(prober)
    except Diverged as stop:
        return ProbeResult(prober.steps, stop.difference, True)
    except Exception as exc:  # the sequence could not go on (an answer it needs is missing or unreadable)
        reason = f"the probe could not go on: {type(exc).__name__}: {exc}"[:300]
        step = len(prober.steps)
        if expected is not None and step < len(expected):
            return ProbeResult(prober.steps, Difference(step, expected[step], None, reason), True)
        return ProbeResult(prober.steps, Difference(step, None, None, reason), False)
    finally:
        prober.close()
    if expected is not None and len(prober.steps) < len(expected):
        step = len(prober.steps)
        return ProbeResult(prober.steps, Difference(step, expected[step], None, "the mutant's sequence ended early"),
                           True)
    return ProbeResult(prober.steps, None, True)


def _check(expected: list[Step] | None, steps: list[Step]) -> None:
    difference = _first_divergence(expected, steps)
    if difference is not None:
        raise Diverged(difference)


def compare(build_reference: Callable[[], Callable], build_other: Callable[[], Callable]) -> Difference | None:
    """The first difference the probe sees between two fresh apps, or None."""
    baseline = run_probe(build_reference())
    if baseline.difference is not None:
        raise RuntimeError(f"the probe cannot run against the reference: {baseline.difference.reason}")
    return run_probe(build_other(), expected=baseline.steps).difference


def load_steps(raw: list[dict]) -> list[Step]:
    return [Step(**item) for item in raw]
