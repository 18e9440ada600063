"""A check's verdict: a typed failure with the expectation it broke and the exchange that broke it."""
from __future__ import annotations

from conformance.wire import Exchange


class CheckFailure(AssertionError):
    """Raised by a check. An AssertionError so pytest reports a failed requirement, not a crashed test."""

    def __init__(self, check: str, expected: str, actual: str, exchange: Exchange | None = None) -> None:
        self.check = check
        self.expected = expected
        self.actual = actual
        self.exchange = exchange
        super().__init__(f"[{check}] expected {expected}; got {actual}")
