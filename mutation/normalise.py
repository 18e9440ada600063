"""The probe's answers as data, and how two runs' answers are made comparable (see mutation.probe)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
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
    r"|\b(?P<UserId>AIDA[A-Z0-9]{17})\b|\b(?P<AccessKeyId>AKIA[A-Z0-9]{16})\b|\b(?P<CertificateId>[A-Z0-9]{32})\b"
)
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
        body = self.body[start : start + EXCERPT_CHARS]
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
            common = next(
                (i for i, (a, b) in enumerate(zip(self.expected.body, self.actual.body, strict=False)) if a != b),
                min(len(self.expected.body), len(self.actual.body)),
            )
            start = max(0, common - 150)
        step = self.expected or self.actual
        return {
            "index": self.index,
            "reason": self.reason,
            "label": step.label if step else "",
            "request": step.request if step else "",
            "expected": self.expected.excerpt(start) if self.expected else None,
            "actual": self.actual.excerpt(start) if self.actual else None,
        }


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
            when = when.replace(tzinfo=UTC)
        if not self.started - _CLOCK_SLACK <= when <= datetime.now(UTC) + _CLOCK_SLACK:
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
