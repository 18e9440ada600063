"""What a check can conclude besides "holds": a typed deviation of the target, or nothing to judge.

Deviations are exceptions with keyword fields (schemathesis' manner): reports read `kind`, `expected`, `actual`
and the exchange, never the message text. Anything else a test raises is a suite error, not a deviation.
"""

from __future__ import annotations

from conformance.protocol.wire import Exchange


class Deviation(AssertionError):
    """The target broke a requirement. An AssertionError, so a plain pytest run reports a failed test."""

    kind = "deviation"

    def __init__(self, expected: str, actual: str, exchange: Exchange | None = None, *, check: str = "") -> None:
        self.check = check  # set by the @check wrapper: the registered name of the check that judged
        self.expected = expected
        self.actual = actual
        self.exchange = exchange
        self.steps: list[str] = []  # a state machine's (shrunk) sequence of calls that led here
        super().__init__(expected, actual)

    def __str__(self) -> str:
        return f"[{self.check}] expected {self.expected}; got {self.actual}"


class StatusDeviation(Deviation):
    """The wrong HTTP status, error code or error type for the request."""

    kind = "status"


class BodyDeviation(Deviation):
    """A body that is not the document the protocol promises: unreadable, off-schema, wrong namespace."""

    kind = "body"


class ContentDeviation(Deviation):
    """A well-formed answer whose content disagrees with the page or with what the suite did to the target."""

    kind = "content"


class NothingToJudge(Exception):
    """The response is not of the kind the check judges (an error check given a success, a walk without a truncated
    page...). Not a verdict: a requirement with nothing judged is reported untested, with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def leaves(error: BaseException) -> list[BaseException]:
    """The distinct exceptions inside `error`: Hypothesis reports several failures of one test (and a flaky one)
    as an exception group; each keeps its own evidence."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]
