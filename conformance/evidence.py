"""A failure turned into report evidence: the broken expectation, the request (no credentials) and response."""
from __future__ import annotations

import json
import shlex
from urllib.parse import urlsplit

from conformance.failures import CheckFailure
from conformance.redaction import redact
from conformance.seeding import SeedingError
from conformance.wire import Exchange

# Response headers worth showing; everything else (and every request header: they carry the signature) is left out.
SHOWN_HEADERS = ("content-type", "content-length", "x-amzn-requestid")


def curl_command(exchange: Exchange) -> str:
    """A curl line replaying the request, signed by curl itself; credentials stay in the environment."""
    request = exchange.request
    endpoint = urlsplit(request.url)._replace(query="").geturl()
    words = ["curl", "-sS", "-i"]
    if request.signer != "unsigned":
        words += ["--aws-sigv4", f"aws:amz:{request.region}:iam", "--user", "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"]
    if request.method == "GET":
        words += ["--get"]
    for name, value in request.params.items():
        words += ["--data-urlencode", f"{name}={value}"]
    words.append(endpoint)
    # The credentials expand in the user's shell (double quotes); everything else is quoted literally.
    return " ".join(f'"{w}"' if w.startswith("$AWS_") else shlex.quote(w) for w in words)


def describe_exchange(exchange: Exchange) -> dict:
    request = exchange.request
    return {
        "curl": curl_command(exchange),
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
            "body_excerpt": exchange.excerpt(),
            "body_truncated": exchange.truncated,
        },
    }


def describe_failure(error: BaseException) -> dict:
    """The evidence of a failure, with every secret this process knows of redacted."""
    return json.loads(redact(json.dumps(_describe_failure(error), ensure_ascii=False)))


def _describe_failure(error: BaseException) -> dict:
    if isinstance(error, CheckFailure):
        found = {"check": error.check, "expected": error.expected, "actual": error.actual}
        if getattr(error, "steps", None):  # a state machine's (shrunk) sequence of calls that led here
            found["steps"] = error.steps
        if error.exchange is not None:
            found.update(describe_exchange(error.exchange))
        return found
    found = {"check": type(error).__name__, "expected": "the test to run", "actual": str(error)[:1000]}
    if isinstance(error, SeedingError):
        found.update(describe_exchange(error.exchange))
    return found
