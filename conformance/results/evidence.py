"""A deviation turned into report evidence: the broken expectation, the request (never a credential), the response,
and a curl line that replays it. Everything is redacted before anything is cut to an excerpt or bounded, and the curl
line is built from the redacted request, never redacted itself (`redacted`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from conformance.checks.failures import Deviation
from conformance.protocol.wire import Exchange, read_error
from conformance.results.replay import replay_line, replay_note
from conformance.results.signatures import Signature, fingerprint
from conformance.safety.bounds import bounded_data
from conformance.safety.redaction import Redactor

# Response headers worth showing; everything else (and every request header: they carry the signature) is left out.
SHOWN_HEADERS = ("content-type", "content-length", "x-amzn-requestid")
EXCERPT_CHARS = 600
ONE_LINE_CHARS = 500
EXAMPLE_CHARS = 800  # Hypothesis' falsifying example: the drawn values, not every fixture's repr in full


@dataclass(frozen=True)
class Evidence:
    check: str
    kind: str  # the Deviation's kind: status | body | content
    expected: str
    actual: str
    example: str | None = None  # Hypothesis' falsifying example, when the test drew one
    steps: list[str] = field(default_factory=list)  # a state machine's shrunk sequence of calls
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    curl: str | None = None  # built last, from the redacted request (`redacted`)
    replay: str | None = None  # why the curl line does not reproduce the exchange as it ran, and what would
    signature: dict[str, Any] | None = None  # what a baseline records of it (conformance.results.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


def one_line(text: str, redactor: Redactor, limit: int = ONE_LINE_CHARS) -> str:
    """`text` redacted, then on one line, then cut: redaction always comes before cutting."""
    flat = " ".join(redactor.redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def excerpt(exchange: Exchange, redactor: Redactor, limit: int = EXCERPT_CHARS) -> str:
    shown = redactor.redact(exchange.body.decode("utf-8", "replace"))
    return shown if len(shown) <= limit else shown[:limit] + "…"


def describe_request(exchange: Exchange) -> dict[str, Any]:
    """The request as the evidence shows it (not yet redacted): never a credential, a signature or a header."""
    request = exchange.request
    return {
        "method": request.method,
        "endpoint": urlsplit(request.url)._replace(query="").geturl(),
        "params": request.params,  # Markers among them are the target's: redacted and bounded with the rest
        "signed_by": request.signer,
        "region": request.region,
    }


def curl_command(exchange: Exchange, redactor: Redactor) -> str:
    """The replay line of `exchange`: its request redacted, then the line built (conformance.results.replay)."""
    return replay_line(redactor.redact_data(describe_request(exchange)))


def describe_exchange(exchange: Exchange, redactor: Redactor) -> dict[str, Any]:
    return {
        "request": describe_request(exchange),
        "response": {
            "status": exchange.status,
            "elapsed_ms": round(exchange.elapsed_ms, 1),
            "headers": {k: v for k, v in exchange.headers.items() if k in SHOWN_HEADERS},
            "body_excerpt": excerpt(exchange, redactor),
            "body_truncated": exchange.truncated,
        },
    }


def redacted(evidence: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """`evidence` with every value redacted, then bounded, and its replay line built again from the redacted request:
    the one way evidence is redacted, each time a process learns more secrets. A finished line is never redacted
    (a secret may equal a piece of its quoting)."""
    shown = bounded_data(redactor.redact_data({k: v for k, v in evidence.items() if k != "curl"}))
    request = shown.get("request")
    if isinstance(request, dict):
        shown["curl"] = replay_line(request)
    return cast(dict[str, Any], shown)


def signature_of(deviation: Deviation) -> Signature:
    """The deviation's signature: its check, and the status, error code and message of the answer it judged."""
    exchange = deviation.exchange
    if exchange is None:
        return Signature(deviation.check or type(deviation).__name__, None, None, fingerprint(""))
    error = read_error(exchange)
    message = (error.message or "") if error is not None else (exchange.unreadable_reason or "")
    return Signature(
        deviation.check or type(deviation).__name__,
        exchange.status,
        error.code if error else None,
        fingerprint(message, exchange.request.params.values()),
    )


def from_deviation(
    deviation: Deviation, redactor: Redactor, run_id: str = "", resources_kept: bool = False
) -> dict[str, Any]:
    """The evidence of one deviation, as a plain dict with every secret `redactor` knows of redacted."""
    notes = [n for n in getattr(deviation, "__notes__", ()) if n.strip()]
    found = Evidence(
        check=deviation.check or type(deviation).__name__,
        kind=deviation.kind,
        expected=one_line(deviation.expected, redactor, 2000),
        actual=one_line(deviation.actual, redactor, 2000),
        example=one_line("\n".join(notes), redactor, EXAMPLE_CHARS) if notes else None,
        steps=[one_line(step, redactor) for step in deviation.steps],
        signature=signature_of(deviation).to_dict(),
    )
    if deviation.exchange is not None:
        exchange = deviation.exchange
        found = Evidence(
            **{
                **asdict(found),
                **describe_exchange(exchange, redactor),
                "replay": replay_note(exchange.request.signer, exchange.request.params, run_id, resources_kept),
            }
        )
    return redacted(found.to_dict(), redactor)
