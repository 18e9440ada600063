"""Stable placeholders: values that differ from run to run (the run id, user names, ids, keys, accounts, dates,
Markers, RequestIds, certificate bodies) replaced by names bound on first sight, the same value getting the same name
everywhere. A placeholder reads `⟦kind-N⟧`, or `⟦kind-N:shape⟧` for the kinds compared only by their shape (dates,
Markers, RequestIds: see NOISE); the run id is `⟦run⟧`; a literal `⟦` in a value is written `⟦!⟧`.

Values are replaced whole where their kind is known (an element, a parameter) and, for the kinds that are safe to
find in free text (FREE_TEXT), wherever they stand as a whole word in a message or an ARN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

OPEN, CLOSE = "⟦", "⟧"
ESCAPED_OPEN = "⟦!⟧"
RUN = "⟦run⟧"
RUN_IN_CAPITALS = "⟦RUN⟧"  # the run id in capitals: a name sent in another case (NAME-xx: IAM names ignore case)
TOKEN = re.compile(
    r"⟦(?:(?P<escape>!)|(?P<run>run|RUN)|(?P<kind>[a-z]+(?:-[a-z]+)*)-(?P<number>\d{1,9})(?::(?P<shape>[^⟦⟧]*))?)⟧"
)


class Kind(StrEnum):
    USER = "user"  # a user name the suite did not make (the caller's own); the suite's names hold the run id
    USER_ID = "user-id"
    ACCOUNT = "account"
    ACCESS_KEY = "access-key"
    CERTIFICATE = "certificate"  # a CertificateId
    CERTIFICATE_BODY = "certificate-body"
    DATE = "date"
    MARKER = "marker"
    REQUEST_ID = "request-id"


# Kinds whose values differ on every run of any target: compared by kind and shape only (a date's format, a Marker's
# alphabet, a RequestId's form), never by which value or which number.
NOISE = frozenset({Kind.DATE, Kind.MARKER, Kind.REQUEST_ID})
# Kinds replaced in free text too (messages, ARNs), wherever one stands as a whole word.
FREE_TEXT = frozenset({Kind.USER, Kind.USER_ID, Kind.ACCOUNT, Kind.ACCESS_KEY, Kind.CERTIFICATE, Kind.REQUEST_ID})
MIN_MARKER_IN_TEXT = 16  # a Marker as short as "2" would replace digits everywhere
# IAM's name characters: a value inside a longer name is no whole word (a comma or full stop may end a sentence)
_BEFORE, _AFTER = r"[\w+=,.@-]", r"[\w+=@-]"
# An ARN names its account: learned wherever an ARN is seen.
ARN_ACCOUNT = re.compile(r"\barn:aws[\w-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
# Instants in free text (an expired signature's message): ISO-8601, SigV4's basic format, a credential scope's day.
TIMES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T\d{6}Z)?\b"
)
MAX_SHAPE = 48


def shape(kind: Kind, value: str) -> str:
    """What a noise kind's value is compared by: a date's format, a RequestId's form, a Marker's alphabet."""
    if kind == Kind.DATE:
        found = re.sub(r"\d", "9", value)
    elif kind == Kind.REQUEST_ID:
        found = re.sub(r"[0-9a-fA-F]", "x", value)
    elif value.isdigit():
        found = "digits"
    elif re.fullmatch(r"[A-Za-z0-9+/_=-]+", value):
        found = "base64"
    else:
        odd = {c for c in value if not (c.isascii() and c.isalnum())}
        others = sorted({"space" if c == " " else "non-ascii" if not c.isascii() else c for c in odd})
        found = "other " + " ".join(others)
    return re.sub(r"[⟦⟧]", "?", found)[:MAX_SHAPE]


def escape(text: str) -> str:
    return text.replace(OPEN, ESCAPED_OPEN)


@dataclass(frozen=True)
class Token:
    kind: str  # a Kind's value, or "run", or "!" (an escaped ⟦)
    number: int
    shape: str | None

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.number}"


def tokens(text: str) -> list[Token]:
    """The placeholders in `text`, in order (the escaped ⟦ and the run id included, as kinds "!" and "run")."""
    found = []
    for match in TOKEN.finditer(text):
        if match.group("escape"):
            found.append(Token("!", 0, None))
        elif match.group("run"):
            found.append(Token("run", 0, None))
        else:
            found.append(Token(match.group("kind"), int(match.group("number")), match.group("shape")))
    return found


def body_key(pem: str) -> str:
    """A certificate body as IAM may return it: line endings and surrounding blanks are not significant."""
    return "\n".join(line.strip() for line in pem.strip().splitlines())


class Placeholders:
    """The bindings of one run (or one replay): value <-> placeholder, per kind, bound on first sight."""

    def __init__(self, run_id: str | None, counts: dict[str, int] | None = None) -> None:
        self.run_id = run_id or None
        self._token_of: dict[tuple[Kind, str], str] = {}  # (kind, value key) -> its placeholder as written
        self._value_of: dict[str, str] = {}  # placeholder name (kind-N) -> value
        self._counts: dict[Kind, int] = {kind: int((counts or {}).get(kind, 0)) for kind in Kind}
        self._free_text: re.Pattern[str] | None = None
        self._free_text_values: dict[str, str] = {}  # escaped value -> placeholder

    @property
    def counts(self) -> dict[str, int]:
        return {kind.value: count for kind, count in self._counts.items() if count}

    def value(self, name: str) -> str | None:
        return self._value_of.get(name)

    def bound(self, name: str) -> bool:
        return name in self._value_of

    def _write(self, kind: Kind, number: int, value: str) -> str:
        return f"{OPEN}{kind.value}-{number}" + (f":{shape(kind, value)}" if kind in NOISE else "") + CLOSE

    def token(self, kind: Kind, value: str, hint: Token | None = None) -> str:
        """The placeholder of `value`, bound now if it is new. `hint`: the placeholder a recorded answer had where
        this value stands (a replay binds the new value to it: conformance.differential)."""
        key = body_key(value) if kind == Kind.CERTIFICATE_BODY else value
        hinted = hint if hint is not None and hint.kind == kind.value else None
        if hinted is not None and kind in NOISE:  # the latest value wins: a Marker is sent back as last seen
            return self._bind(kind, hinted.number, key, value)
        known = self._token_of.get((kind, key))
        if known is not None:
            return known
        if hinted is not None and not self.bound(hinted.name):
            return self._bind(kind, hinted.number, key, value)
        self._counts[kind] += 1
        while self.bound(f"{kind.value}-{self._counts[kind]}"):
            self._counts[kind] += 1
        return self._bind(kind, self._counts[kind], key, value)

    def known(self, kind: Kind, value: str) -> str | None:
        """The placeholder of a value already bound, else None (a parameter that only repeats what an answer gave)."""
        return self._token_of.get((kind, body_key(value) if kind == Kind.CERTIFICATE_BODY else value))

    def bind(self, name: str, value: str) -> None:
        """Bind placeholder `name` (kind-N) to `value`: a replay's own value for a placeholder first seen in a
        request (a certificate body, a made-up access key)."""
        kind, _, number = name.rpartition("-")
        self._bind(Kind(kind), int(number), body_key(value) if kind == Kind.CERTIFICATE_BODY else value, value)

    def _bind(self, kind: Kind, number: int, key: str, value: str) -> str:
        written = self._write(kind, number, value)
        self._token_of[(kind, key)] = written
        self._value_of[f"{kind.value}-{number}"] = value
        self._counts[kind] = max(self._counts[kind], number)
        if kind in FREE_TEXT or (kind == Kind.MARKER and len(value) >= MIN_MARKER_IN_TEXT):
            self._free_text_values[escape(value)] = written
            self._free_text = None
        return written

    def learn_accounts(self, text: str, hint: Callable[[], Token | None] = lambda: None) -> None:
        for match in ARN_ACCOUNT.finditer(text):
            self.token(Kind.ACCOUNT, match.group(1), hint())

    def text(self, value: str) -> str:
        """Free text normalised: ⟦ escaped, the run id, every known value of the FREE_TEXT kinds standing as a whole
        word, accounts of ARNs, and instants."""
        self.learn_accounts(value)
        text = escape(value)
        if self.run_id:
            text = text.replace(self.run_id, RUN)
            if self.run_id.upper() != self.run_id:
                text = text.replace(self.run_id.upper(), RUN_IN_CAPITALS)
        if self._free_text_values:
            if self._free_text is None:
                alternatives = "|".join(re.escape(v) for v in sorted(self._free_text_values, key=len, reverse=True))
                self._free_text = re.compile(rf"(?<!{_BEFORE})(?:{alternatives})(?!{_AFTER})")
            text = self._free_text.sub(lambda match: self._free_text_values[match.group()], text)
        return TIMES.sub(lambda match: self.token(Kind.DATE, match.group()), text)

    def restore(self, text: str, unbound: Callable[[Token], str]) -> str:
        """The value `text` stands for: every placeholder replaced by its bound value (`unbound(token)` for one not
        bound yet: it binds one, or raises), the run id by this run's."""

        def value(match: re.Match[str]) -> str:
            if match.group("escape"):
                return OPEN
            if match.group("run"):
                if not self.run_id:
                    raise ValueError("no run id to put in place of ⟦run⟧")
                return self.run_id.upper() if match.group("run") == "RUN" else self.run_id
            found = Token(match.group("kind"), int(match.group("number")), match.group("shape"))
            bound = self.value(found.name)
            return bound if bound is not None else unbound(found)

        return TOKEN.sub(value, text)

    def learned(self, kinds: Iterable[Kind]) -> dict[str, str]:
        """Placeholder name -> value, for the given kinds."""
        wanted = {kind.value for kind in kinds}
        return {name: value for name, value in self._value_of.items() if name.rpartition("-")[0] in wanted}
