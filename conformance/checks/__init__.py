"""The registry of checks: small pure functions over exchanges (and what the suite knows it created).

A check raises a Deviation (conformance.checks.failures) when the target breaks the requirement, raises NothingToJudge
when the response is not of the kind it judges, and otherwise returns None or a list of notes (facts worth
reporting that are not deviations). A check states no requirement id: the conformance test calling it carries the
requirement marker, so one check can serve several clauses of the page.

Conformance tests call checks through a Judge, which counts what was actually judged: a requirement passes only
when at least one check judged a response of its kind.

It may import conformance.config and below: the data it judges (observations) is its own, so checks stay pure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from conformance.checks.failures import Deviation, NothingToJudge
from conformance.protocol.wire import Exchange, read_error

F = TypeVar("F", bound=Callable[..., list[str] | None])
P = ParamSpec("P")
T = TypeVar("T")
MAX_KEPT = 20  # distinct notes, and distinct reasons for having nothing to judge, kept per test
REGISTRY: dict[str, Callable[..., list[str] | None]] = {}
HELD, DEVIATION, NOTHING = "held", "deviation", "nothing to judge"  # a Judgment's verdicts


def check(function: F) -> F:
    """Register `function` under its own name, refusing duplicates; the name is what reports show."""
    name = function.__name__
    if name in REGISTRY:
        raise ValueError(f"check {name} registered twice")

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> list[str] | None:
        try:
            return function(*args, **kwargs)
        except Deviation as deviation:
            deviation.check = deviation.check or name
            raise

    REGISTRY[name] = run
    return cast(F, run)  # `run` takes and returns what `function` does


def load_all() -> dict[str, Callable[..., list[str] | None]]:
    from conformance.checks import naming, pagination, responses, shape, writes  # noqa: F401  (registration on import)

    return REGISTRY


@dataclass(frozen=True)
class Judgment:
    """One check a test ran, with what it was given (exchanges, walks, expectations): a recording of the run keeps it,
    so that another target's answers can be judged by the same check (conformance.differential)."""

    check: str  # its registered name
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    verdict: str  # held | deviation | nothing to judge


@dataclass
class Ledger:
    """What one conformance test judged: how many check calls reached a verdict, why others had nothing to judge,
    and the notes checks returned."""

    judged: int = 0
    nothing_to_judge: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # the checks that judged something, by registered name
    judgments: list[Judgment] = field(default_factory=list)  # every check called, in order
    left_out: int = 0  # distinct notes and reasons past the first MAX_KEPT of each kind: counted, not kept

    def keep(self, found: list[str], text: str) -> None:
        """`text` added to `found` (notes or reasons) when new, up to MAX_KEPT of them; counted past that."""
        if text not in found:
            if len(found) < MAX_KEPT:
                found.append(text)
            else:
                self.left_out += 1


class Judge:
    """Runs checks for one conformance test and keeps its Ledger (the test's `judge` fixture).

    A response the caller's own credentials were refused by policy (AccessDenied) is never judged: what the policy
    forbids says nothing about the target's conformance.
    """

    def __init__(self) -> None:
        self.ledger = Ledger()

    def __call__(self, a_check: Callable[P, list[str] | None], *args: P.args, **kwargs: P.kwargs) -> None:
        def judged(verdict: str) -> None:
            self.ledger.judgments.append(Judgment(a_check.__name__, tuple(args), dict(kwargs), verdict))

        try:
            denied = _policy_refusal(args)
            if denied:
                raise NothingToJudge(denied)
            notes = a_check(*args, **kwargs)
        except NothingToJudge as nothing:
            judged(NOTHING)
            self.ledger.keep(self.ledger.nothing_to_judge, nothing.reason)
            return
        except Deviation:
            judged(DEVIATION)
            raise
        judged(HELD)
        self.ledger.judged += 1
        if a_check.__name__ not in self.ledger.checks:
            self.ledger.checks.append(a_check.__name__)
        for note in notes or ():
            self.ledger.keep(self.ledger.notes, note)

    def each(
        self,
        a_check: Callable[Concatenate[T, P], list[str] | None],
        items: Iterable[T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """`a_check(item, *args)` for every item."""
        for item in items:
            self(a_check, item, *args, **kwargs)


def _exchanges_in(value: object) -> Iterator[Exchange]:
    if isinstance(value, Exchange):
        yield value
    pages = getattr(value, "pages", None)  # a pagination Walk
    if isinstance(pages, list):
        yield from (page for page in pages if isinstance(page, Exchange))


def _policy_refusal(args: tuple[object, ...]) -> str | None:
    for value in args:
        for exchange in _exchanges_in(value):
            error = read_error(exchange) if exchange.status == 403 else None
            if error is not None and error.code == "AccessDenied" and exchange.request.signer == "caller":
                return (
                    f"the suite's credentials may not call {exchange.request.action} here (AccessDenied): "
                    "nothing about the target to judge"
                )
    return None
