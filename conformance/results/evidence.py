"""A deviation turned into report evidence: the broken expectation, the request (never a credential), the response,
and a curl line that replays it. Everything is redacted before anything is cut to an excerpt.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.checks.failures import Deviation
from conformance.protocol.client import OWN_KEY, RESIGNED, UNKNOWN_KEY, WRONG_SECRET
from conformance.protocol.wire import Exchange, read_error
from conformance.results.signatures import Signature, fingerprint
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
    curl: str | None = None
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


def curl_command(exchange: Exchange) -> str:
    """A curl line replaying the request, signed by curl itself as the suite signed it; credentials stay in the
    user's environment (they expand in the shell), everything else is quoted literally."""
    request = exchange.request
    endpoint = urlsplit(request.url)._replace(query="").geturl()
    words = ["curl", "-sS", "-i"]
    if request.signer != "unsigned":
        if request.signer == WRONG_SECRET:
            user = "$AWS_ACCESS_KEY_ID:not-the-secret-key"
        elif request.signer.startswith(UNKNOWN_KEY):  # the label ends with the (made-up, never issued) key id
            user = request.signer[len(UNKNOWN_KEY) :].strip() + ":any-secret"
        else:
            user = "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
        words += ["--aws-sigv4", f"aws:amz:{request.region}:iam", "--user", user]
    if request.method == "GET":
        words += ["--get"]
    for name, value in request.params.items():
        words += ["--data-urlencode", f"{name}={value}"]
    words.append(endpoint)
    quoted = " ".join(f'"{w}"' if w.startswith("$AWS_") else shlex.quote(w) for w in words)
    if request.signer not in ("unsigned", WRONG_SECRET) and not request.signer.startswith(UNKNOWN_KEY):
        # temporary credentials sign with their session token too; nothing is added when none is set
        quoted += ' ${AWS_SESSION_TOKEN:+-H "x-amz-security-token: $AWS_SESSION_TOKEN"}'
    return quoted


def replay_note(exchange: Exchange, run_id: str, resources_kept: bool) -> str | None:
    request = exchange.request
    if request.signer.startswith(RESIGNED):
        return (
            f"the suite sent this request {request.signer[len(RESIGNED) - len('signed ') :]}; curl signs what it "
            "sends, so the line reproduces the request, not its signature (sign by hand to reproduce)"
        )
    if request.signer.startswith(OWN_KEY):
        return (
            f"signed with the {request.signer}, a key the run created"
            + ("" if resources_kept else " and deleted at its end (rerun with --keep-resources to keep it)")
            + ": put that key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to replay"
        )
    named = [v for v in request.params.values() if v.startswith(f"ic-{run_id}-") and not v.endswith("-absent")]
    if named and not resources_kept:
        return f"names {named[0]}, which the run created and deleted at its end (rerun with --keep-resources)"
    return None


def describe_exchange(exchange: Exchange, redactor: Redactor) -> dict[str, Any]:
    request = exchange.request
    return {
        "request": {
            "method": request.method,
            "endpoint": urlsplit(request.url)._replace(query="").geturl(),
            "params": request.params,  # the suite's parameters never carry secrets
            "signed_by": request.signer,
        },
        "response": {
            "status": exchange.status,
            "elapsed_ms": round(exchange.elapsed_ms, 1),
            "headers": {k: v for k, v in exchange.headers.items() if k in SHOWN_HEADERS},
            "body_excerpt": excerpt(exchange, redactor),
            "body_truncated": exchange.truncated,
        },
    }


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
                "curl": redactor.redact(curl_command(exchange)),
                "replay": replay_note(exchange, run_id, resources_kept),
            }
        )
    redacted: dict[str, Any] = redactor.redact_data(found.to_dict())
    return redacted
