"""Before any test: does the target answer, does it answer as IAM, and does it accept the caller's credentials?

One request, allowed by the README's least-privilege policy even in --read-only mode (its only statement grants
iam:ListSigningCertificates): a listing of a user that does not exist. The run does not start, and says why in one
line, when the target does not answer (`cannot reach URL: connection refused`), answers nothing in the query
protocol's shape (an HTML page, another API's JSON, other XML: no test is started, no cleanup attempted), or refuses
the credentials. Whatever else an IAM-shaped answer says (404 NoSuchEntity, an AWSFault error, 403 AccessDenied, a
deviation) is the suite's to judge: the run starts.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from conformance.config.settings import RunSettings
from conformance.protocol.client import AUTH_REFUSALS, TargetUnreachable
from conformance.protocol.wire import Exchange, in_query_shape, read_error
from conformance.safety.redaction import Redactor
from conformance.safety.terminal import neutralise

if TYPE_CHECKING:
    from conformance.results.record import RunRecord


def preflight(settings: RunSettings, record: RunRecord | None = None) -> str | None:
    """Why the run cannot start (unreachable target, not IAM, refused credentials), in one line; or None."""
    client = settings.client()
    try:
        exchange = client.call("ListSigningCertificates", {"UserName": f"ic-{settings.run_id}-preflight-absent"})
    except TargetUnreachable as exc:
        return unreachable_line(settings, exc.why)
    finally:
        if record is not None:
            record.requests += client.request_count
        client.close()
    if record is not None:
        record.preflight_ms = exchange.elapsed_ms
    error = read_error(exchange)
    code = error.code if error is not None else None
    if code in AUTH_REFUSALS:
        return refusal_line(
            settings, exchange.status, code, error.message if error else None, botocore_verdict(settings)
        )
    if not in_query_shape(exchange):
        return not_iam_line(settings, exchange)
    if exchange.status == 401:
        return refusal_line(
            settings, exchange.status, code, error.message if error else None, botocore_verdict(settings)
        )
    return None


def unreachable_line(settings: RunSettings, why: str) -> str:
    """`cannot reach URL: connection refused` (and where the URL came from, when not --endpoint-url)."""
    origin = settings.endpoint_origin
    named = f" (from {origin})" if origin and origin != "--endpoint-url" else ""
    return f"cannot reach {settings.endpoint}{named}: {why}"


FIRST_BYTES = 80  # characters of a body that is no IAM answer, shown in its line


def not_iam_line(settings: RunSettings, exchange: Exchange) -> str:
    """What a target that does not answer as IAM sent, in one line: status, content type, size and first bytes
    (redacted, on one line, neutralised, cut)."""
    secrets = Redactor([settings.secret_key, settings.session_token])
    text = " ".join(secrets.redact(exchange.body[: FIRST_BYTES * 4].decode("utf-8", "replace")).split())
    shown = neutralise(text)
    shown = shown if len(shown) <= FIRST_BYTES else shown[: FIRST_BYTES - 1] + "…"
    kind = neutralise(exchange.content_type.strip())[:60] or "no content type"
    size = f"{len(exchange.body)}{'+' if exchange.truncated else ''} bytes"
    seen = f'{size}: "{shown}"' if shown else "an empty body"
    return (
        f"{settings.endpoint} does not answer as IAM: HTTP {exchange.status}, {kind}, {seen} "
        "(no XML ErrorResponse or listing to ListSigningCertificates): no test started"
    )


# A target that answers within this, its first connection included, runs on this machine or next to it: overlapping
# calls to it saves no time (this machine's CPU is the limit, the target's and the suite's) and costs the suite's
# threads about a third more CPU. Real IAM and any target across a network answer slower.
FAST_ROUND_TRIP_MS = 10.0


def paced(settings: RunSettings, round_trip_ms: float | None) -> RunSettings:
    """`settings` with one call in flight when the target answered the preflight within FAST_ROUND_TRIP_MS and
    nobody chose --max-concurrency; the same requests either way (the seed decides them, not the pace)."""
    if (
        settings.concurrency_chosen
        or settings.max_concurrency == 1
        or round_trip_ms is None
        or round_trip_ms >= FAST_ROUND_TRIP_MS
    ):
        return settings
    note = (
        f"one call in flight: the target answered in {round_trip_ms:.1f} ms, too fast for overlapping calls to "
        "save time (--max-concurrency N overlaps them anyway)"
    )
    return dataclasses.replace(settings, max_concurrency=1, pace_note=note)


MESSAGE_SHOWN = 200  # characters of the target's own message in the one line


def refusal_line(settings: RunSettings, status: int, code: str | None, message: str | None, botocore_says: str) -> str:
    """Refused credentials, in one line: the target's own answer (redacted, neutralised, cut), the scope and key id
    the suite signed with (never the secret), and whether botocore's own IAM client, given the same credentials,
    scope and endpoint, is refused too: then the credentials are at fault, else the way the suite signs."""
    secrets = Redactor([settings.secret_key, settings.session_token])
    said = neutralise(secrets.redact(message or ""))
    said = said if len(said) <= MESSAGE_SHOWN else said[: MESSAGE_SHOWN - 1] + "…"
    key = settings.access_key
    shown_key = f"{key[:4]}…{key[-4:]}" if len(key) > 8 else "a short key id"
    refused_by = settings.target_label or settings.endpoint
    answer = " ".join(part for part in (f"HTTP {status}", code or "", f"({said})" if said else "") if part)
    return (
        f"credentials refused by {refused_by}: {answer}; signed for iam in {settings.region} "
        f"({settings.region_origin or 'given'}) with key {shown_key}; {botocore_says}"
    )


def botocore_verdict(settings: RunSettings) -> str:
    """One call by botocore's own IAM client, same credentials, scope and endpoint: what it says."""
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = botocore.session.get_session().create_client(
        "iam",
        region_name=settings.region,
        endpoint_url=settings.endpoint,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        aws_session_token=settings.session_token,
        config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 1}),
    )
    try:
        client.list_signing_certificates(UserName=f"ic-{settings.run_id}-preflight-absent")  # type: ignore[attr-defined]  # botocore makes it from the model
    except ClientError as exc:
        botocore_code = str(exc.response.get("Error", {}).get("Code", ""))[:64]
        if botocore_code in AUTH_REFUSALS:
            return (
                f"botocore's own IAM client is refused too ({neutralise(botocore_code)}): fix the credentials, "
                "their region or the target's account"
            )
    except BotoCoreError as exc:
        return f"botocore's own IAM client could not tell ({type(exc).__name__})"
    finally:
        client.close()
    return "botocore's own IAM client is accepted with the same credentials: the suite signs otherwise than it does"
