"""The differential probe: one fixed request sequence, answers normalised, compared step by step.

A surviving mutant counts as equivalent only if this probe sees no difference on the wire between it and the
unmutated reference. The sequence (`mutation.probe_sequence`) is broader than the suite's own requests. Each
answer is reduced to (status, Content-Type, request-id header, body) with what legitimately differs between
two runs replaced by placeholders numbered in order of first appearance, so identity is kept (the same
certificate id twice is the same placeholder twice):

- ids, request ids and secrets (CertificateId, UserId, AccessKeyId, SecretAccessKey, RequestId): placeholder
  when the value has the reference's form; otherwise the raw value stays in, so a changed format shows. Values
  are found by their shape anywhere in an answer (not only in their element), so an element renamed or dropped
  in one answer does not leave its value unnormalised in every later answer;
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
_SHAPES = re.compile(  # id-shaped values anywhere in a text, in the order they appear
    r"\b(?P<RequestId>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\b"
    r"|\b(?P<UserId>AIDA[A-Z0-9]{17})\b|\b(?P<AccessKeyId>AKIA[A-Z0-9]{16})\b|\b(?P<CertificateId>[A-Z0-9]{32})\b")
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
    """Raised inside the sequence to stop it at the first difference."""

    def __init__(self, difference: Difference) -> None:
        super().__init__(f"probe step {difference.index} differs")
        self.difference = difference


class Normaliser:
    """Placeholders for what two correct runs may legitimately disagree on (see the module docstring)."""

    def __init__(self, started: datetime) -> None:
        self.started = started
        self.tokens: dict[str, str] = {}  # value -> placeholder
        self.counts: Counter[str] = Counter()
        self._replacements: list[tuple[str, str]] = []  # (text as sent or XML-escaped, placeholder), longest first
        self._transient: list[tuple[str, str]] = []  # this answer's request ids: no later answer repeats them
        self.fixed: set[str] = set()  # values the probe itself chose (its unknown keys): compared as they are
        days = (started + timedelta(days=d) for d in (-1, 0, 1))
        self.scope_days = {day.strftime("%Y%m%d") for day in days}

    def register(self, kind: str, value: str | None) -> None:
        if not value or value in self.tokens or value in self.fixed:
            return
        if VOLATILE_FORMS[kind].fullmatch(value):
            self.counts[kind] += 1
            self._add(value, f"<{kind}-{self.counts[kind]}>", transient=kind == "RequestId")
        elif kind == "Marker":  # opaque, but out of the page's bounds: that much is kept
            self.counts[kind] += 1
            self._add(value, f"<Marker-{self.counts[kind]} invalid: {len(value)} chars>")
        # any other unexpected form stays as it is: a changed format shows as a difference

    def scan(self, text: str) -> None:
        """Register every id-shaped value in `text`, in order of appearance."""
        for match in _SHAPES.finditer(text):
            self.register(match.lastgroup, match.group(0))

    def _add(self, value: str, placeholder: str, transient: bool = False) -> None:
        self.tokens[value] = placeholder
        forms = {value, escape(value, {'"': "&quot;"})}
        (self._transient if transient else self._replacements).extend((form, placeholder) for form in forms)
        self._replacements.sort(key=lambda pair: len(pair[0]), reverse=True)

    def next_answer(self) -> None:
        """Request ids belong to one answer each: forget the previous answer's."""
        self._transient.clear()

    def alias(self, value: str, placeholder: str) -> None:
        """A fixed value shown by name (the probe's own certificate bodies), for readable excerpts."""
        if value not in self.tokens:
            self._add(value, placeholder)

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
        for token, placeholder in self._transient + self._replacements:
            if token in value:
                value = value.replace(token, placeholder)
        value = _ISO_DATE.sub(self._date, value)
        value = _AMZ_TIMESTAMP.sub("<amz-timestamp>", value)
        value = _HEX_SIGNATURE.sub("<hex64>", value)
        for day in self.scope_days:
            value = value.replace(f"/{day}/", "/<scope-day>/").replace(f"'{day}'", "'<scope-day>'")
        return value


LIST_REQUEST = "Action=ListSigningCertificates,"


class Comparison:
    """Steps of a run matched to the reference's by label and occurrence (so a page missing from one walk does
    not shift every later step), the first difference overall and the first on a ListSigningCertificates call."""

    def __init__(self, expected: list[Step] | None, exhaustive: bool) -> None:
        self.expected: dict[tuple[str, int], tuple[int, Step]] = {}
        for index, (key, step) in enumerate(zip(_keys(expected or []), expected or [])):
            self.expected[key] = (index, step)
        self.active = expected is not None
        self.exhaustive = exhaustive
        self.seen: Counter[str] = Counter()
        self.first: Difference | None = None
        self.first_listing: Difference | None = None
        self.differing = 0

    def observe(self, steps: list[Step]) -> None:
        if not self.active:
            return
        step = steps[-1]
        self.seen[step.label] += 1
        index, expected = self.expected.get((step.label, self.seen[step.label]), (len(steps) - 1, None))
        if expected == step:
            return
        reason = "" if expected is not None else "a request the reference's sequence does not make"
        self._note(Difference(index, expected, step, reason))

    def _note(self, difference: Difference) -> None:
        self.differing += 1
        self.first = self.first or difference
        request = (difference.expected or difference.actual).request
        # A call the run never made (the sequence broke off) says nothing about how the target answers it.
        if self.first_listing is None and LIST_REQUEST in request and difference.actual is not None:
            self.first_listing = difference
        if not self.exhaustive:
            raise Diverged(difference)

    def finish(self, reason: str = "") -> None:
        """Reference steps the run never made count as differences (why: `reason`, else the sequence ended)."""
        if not self.active:
            return
        made = {(label, n) for label, count in self.seen.items() for n in range(1, count + 1)}
        for key, (index, step) in sorted(self.expected.items(), key=lambda item: item[1][0]):
            if key not in made:
                self._note(Difference(index, step, None, reason or "the mutant's sequence ended before this"))


def _keys(steps: list[Step]) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    keys = []
    for step in steps:
        seen[step.label] += 1
        keys.append((step.label, seen[step.label]))
    return keys


@dataclass
class ProbeResult:
    steps: list[Step]
    difference: Difference | None  # the first request whose answer differs
    finished: bool  # the sequence ran to its end, or stopped at a difference it was asked to stop at
    listing_difference: Difference | None = None  # the first differing ListSigningCertificates call
    differing: int = 0  # differing steps (exhaustive runs count them all)
    problem: str = ""  # why the sequence stopped early, when it did

    def summary(self) -> dict:
        return {"requests": len(self.steps), "finished": self.finished, "differing_requests": self.differing,
                "difference": self.difference.as_dict() if self.difference else None,
                "listing_difference": self.listing_difference.as_dict() if self.listing_difference else None,
                "problem": self.problem}


def run_probe(app: Callable | None, expected: list[Step] | None = None, url: str | None = None,
              exhaustive: bool = False) -> ProbeResult:
    """Send the probe's sequence to `app` (in-process; or to the server at `url`) and compare each answer with
    `expected` (the reference's steps): stop at the first difference, or with `exhaustive` go on to the end."""
    from mutation.probe_sequence import Prober, walk

    comparison = Comparison(expected, exhaustive)
    prober = Prober(app, check=comparison.observe, url=url)
    problem = ""
    try:
        walk(prober)
        comparison.finish()
    except Diverged:
        pass
    except Exception as exc:  # the sequence could not go on (an answer it needs is missing or unreadable)
        problem = f"the probe could not go on: {type(exc).__name__}: {exc}"[:300]
        try:
            comparison.finish(problem)
        except Diverged:
            pass
    finally:
        prober.close()
    finished = not problem or comparison.first is not None
    return ProbeResult(prober.steps, comparison.first, finished, comparison.first_listing, comparison.differing,
                       problem)


def compare(build_reference: Callable[[], Callable], build_other: Callable[[], Callable]) -> Difference | None:
    """The first difference the probe sees between two fresh apps, or None."""
    baseline = run_probe(build_reference())
    if baseline.problem:
        raise RuntimeError(f"the probe cannot run against the reference: {baseline.problem}")
    return run_probe(build_other(), expected=baseline.steps).difference


def load_steps(raw: list[dict]) -> list[Step]:
    return [Step(**item) for item in raw]
