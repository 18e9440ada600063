"""Before any test: does the target answer, and does it accept the caller's credentials?

One request, allowed by the README's least-privilege policy even in --read-only mode (its only statement grants
iam:ListSigningCertificates): a listing of a user that does not exist. Refused credentials stop the run (unless they
are known to be good: --known-good-credentials); a target that answers anything else is the suite's to judge.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from conformance.config.settings import RunSettings
from conformance.protocol.client import AUTH_REFUSALS, TargetUnreachable
from conformance.protocol.wire import read_error

if TYPE_CHECKING:
    from conformance.results.record import RunRecord


def preflight(settings: RunSettings, record: RunRecord | None = None) -> str | None:
    """Why the run cannot start (unreachable target, refused credentials), or None."""
    client = settings.client()
    try:
        exchange = client.call("ListSigningCertificates", {"UserName": f"ic-{settings.run_id}-preflight-absent"})
    except TargetUnreachable as exc:
        what = "TLS failure" if "TLS:" in str(exc) else "target unreachable"
        return f"{what} ({settings.endpoint_origin}): {exc}"
    finally:
        if record is not None:
            record.requests += client.request_count
        client.close()
    if record is not None:
        record.preflight_ms = exchange.elapsed_ms
    error = read_error(exchange)
    code = error.code if error is not None else None
    if (code in AUTH_REFUSALS or exchange.status == 401) and not settings.known_good_credentials:
        refused_by = settings.target_label or settings.endpoint
        return f"credentials refused by {refused_by}: HTTP {exchange.status} {code or ''}".strip()
    if code == "AccessDenied":
        return (
            "the credentials may not call iam:ListSigningCertificates on this target (AccessDenied): grant it "
            "(README, 'Running against real AWS')"
        )
    return None


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
