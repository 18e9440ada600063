"""Before any test: does the target answer, does it answer as IAM, and does it accept the caller's credentials?

One request, allowed by the README's least-privilege policy even in --read-only mode (its only statement grants
iam:ListSigningCertificates): a listing of a user that does not exist. The run does not start, and says why in one
line, when the target does not answer (`cannot reach URL: connection refused`), answers nothing in the query
protocol's shape (an HTML page, another API's JSON, other XML: no test is started, no cleanup attempted), or refuses
the credentials (unless they are known to be good: --known-good-credentials). Whatever else an IAM-shaped answer
says (404 NoSuchEntity, an AWSFault error, 403 AccessDenied, a deviation) is the suite's to judge: the run starts.
So does a malformed answer from a target that is IAM all the same: one that failed on the request (a 5xx of its own,
not a gateway's), or answers the caller's own listing as IAM (a second request, made only then).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from conformance.config.settings import RunSettings
from conformance.protocol.client import AUTH_REFUSALS, TargetUnreachable
from conformance.protocol.wire import Exchange, in_query_shape, read_error
from conformance.safety.redaction import Redactor
from conformance.safety.terminal import neutralise

if TYPE_CHECKING:
    from conformance.results.record import RunRecord


class Problem(StrEnum):
    UNREACHABLE = "unreachable"  # no HTTP answer at all
    NOT_IAM = "not IAM"  # an answer in no shape of the query protocol
    REFUSED = "refused"  # the credentials are refused


# What a gateway answers while the target behind it is still starting: worth waiting for (--wait-for-target).
GATEWAY_STATUSES = (502, 503, 504)


@dataclass(frozen=True)
class Refusal:
    """Why the run cannot start against this target, in the one line the user reads."""

    problem: Problem
    line: str
    status: int | None = None

    @property
    def may_pass(self) -> bool:
        """Whether a target still starting would answer so: no answer, or a gateway's own page."""
        return self.problem == Problem.UNREACHABLE or (
            self.problem == Problem.NOT_IAM and self.status in GATEWAY_STATUSES
        )


def preflight(settings: RunSettings, record: RunRecord | None = None) -> str | None:
    """Why the run cannot start (unreachable target, not IAM, refused credentials), in one line; or None."""
    refusal = check_target(settings, record)
    return refusal.line if refusal is not None else None


def check_target(
    settings: RunSettings, record: RunRecord | None = None, deadline: float | None = None
) -> Refusal | None:
    """The preflight: one listing of a user that does not exist (`deadline`: monotonic, else the run's); when its
    answer is in no shape of the query protocol, the caller's own listing too (see speaks_iam)."""
    client = settings.client(deadline=deadline)
    try:
        exchange = client.call("ListSigningCertificates", {"UserName": f"ic-{settings.run_id}-preflight-absent"})
        not_iam = not in_query_shape(exchange) and not speaks_iam(exchange, client.call)
    except TargetUnreachable as exc:
        return Refusal(Problem.UNREACHABLE, unreachable_line(settings, exc.why))
    finally:
        if record is not None:
            record.requests += client.request_count
        client.close()
    if record is not None:
        record.preflight_ms = exchange.elapsed_ms
    if not_iam:
        return Refusal(Problem.NOT_IAM, not_iam_line(settings, exchange), exchange.status)
    error = read_error(exchange)
    code = error.code if error is not None else None
    message = error.message if error is not None else None
    refused = not settings.known_good_credentials  # known good: a refusal is the target's deviation, judged by the run
    if code in AUTH_REFUSALS and refused:
        return Refusal(
            Problem.REFUSED, refusal_line(settings, exchange.status, code, message, botocore_verdict(settings))
        )
    if exchange.status == 401 and refused:
        return Refusal(
            Problem.REFUSED, refusal_line(settings, exchange.status, code, message, botocore_verdict(settings))
        )
    return None


def speaks_iam(exchange: Exchange, call: Callable[..., Exchange]) -> bool:
    """Whether a target whose answer to the preflight is in no shape of the query protocol is an IAM endpoint all the
    same, whose answer is a deviation for the run to judge rather than a sign of the wrong URL: it failed on the
    request itself (a 5xx of its own, not a gateway's status), or it answers the caller's own listing (UserName
    omitted, a success in every legal implementation) in the query protocol's shape. `call`: the client's."""
    if exchange.status in GATEWAY_STATUSES:  # a gateway's own page: the target behind it did not answer
        return False
    if exchange.status >= 500:
        return True
    return in_query_shape(call("ListSigningCertificates", {}))


FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.25, 5.0  # between the attempts of --wait-for-target: doubled each time


def wait_for_target(
    settings: RunSettings, record: RunRecord, seconds: float, say: Callable[[str], None] | None = None
) -> str | None:
    """The preflight, tried again while the target does not answer yet (or only its gateway does), for at most
    `seconds` (each attempt bounded by what is left), backing off; `say` hears once that the run waits. Returns why
    the run cannot start, or None."""
    end = time.monotonic() + seconds
    pause = FIRST_PAUSE_S
    while True:
        refusal = check_target(settings, record, deadline=max(end, time.monotonic() + 1.0))
        if refusal is None or not refusal.may_pass:
            return refusal.line if refusal is not None else None
        left = end - time.monotonic()
        if left <= 0:
            return f"{refusal.line} (still, after waiting {seconds:g} s: --wait-for-target)"
        if say is not None and pause == FIRST_PAUSE_S:
            say(f"waiting up to {seconds:g} s for {settings.endpoint} to answer (--wait-for-target): {refusal.line}")
        time.sleep(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE_S)


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
