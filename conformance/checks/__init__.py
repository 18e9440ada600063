"""The registry of checks: small pure functions over exchanges (and what the suite knows it created).

A check raises Violation or returns None; the @check wrapper turns a Violation into a CheckFailure named after
the check. A check states no requirement id: the conformance test calling it carries the requirement marker,
so one check (say "rejected as ValidationError") can serve several clauses of the page.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from conformance.failures import CheckFailure
from conformance.wire import Exchange

F = TypeVar("F", bound=Callable[..., None])
REGISTRY: dict[str, Callable[..., None]] = {}


class Violation(Exception):
    def __init__(self, expected: str, actual: str, exchange: Exchange | None = None) -> None:
        super().__init__(expected, actual)
        self.expected, self.actual, self.exchange = expected, actual, exchange


def check(function: F) -> F:
    """Register `function` under its own name, refusing duplicates; the name is what reports show."""
    name = function.__name__
    if name in REGISTRY:
        raise ValueError(f"check {name} registered twice")

    @functools.wraps(function)
    def run(*args, **kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Violation as violation:
            raise CheckFailure(name, violation.expected, violation.actual, violation.exchange) from None

    REGISTRY[name] = run
    return run  # type: ignore[return-value]


def load_all() -> dict[str, Callable[..., None]]:
    from conformance.checks import pagination, responses, shape  # noqa: F401  (registration on import)

    return REGISTRY
