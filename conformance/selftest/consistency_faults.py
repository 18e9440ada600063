"""Faults of eventual consistency: listings that never catch up with a write.

Real IAM may show a user's previous certificates for a moment after a write; the suite lists again within a
bounded wait (conformance.world.seeding.Seeder.settle). These targets stay stale for good, or for longer than the bound,
and must still be caught by the requirement whose listing never converges. Each is a Store whose listings (and only
its listings: quotas and lookups see every write at once, as on IAM's primary) miss one kind of write.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.reference import Store, Write
from conformance.selftest.registry import fault
from conformance.world.seeding import CONVERGENCE_WAIT_S


@fault(
    "status_change_never_listed",
    ("PAG-06", "PAG-10"),
    "a status change never reaches the listing: it keeps showing the status before the change",
)
class StatusChangeNeverListed(Store):
    def seen(self, write: Write, now: float) -> bool:
        return write.kind != "status" and super().seen(write, now)


@fault(
    "delete_never_listed",
    ("PAG-07", "PAG-10"),
    "a deleted certificate is listed for good, as if the deletion never reached the listing",
)
class DeleteNeverListed(Store):
    def seen(self, write: Write, now: float) -> bool:
        return write.kind != "delete" and super().seen(write, now)


# Every requirement that lists a user after uploading to it: which one sees it first depends on the run's order.
_LISTS_UPLOADS = ("PAG-01", "PAG-03", "PAG-05", "PAG-06", "PAG-07", "PAG-09", "PAG-10", "SHAPE-05", "ID-01", "PROTO-01")


@fault(
    "upload_never_listed",
    _LISTS_UPLOADS,
    "an uploaded certificate is never listed (the upload itself succeeds, and counts against the quota)",
)
class UploadNeverListed(Store):
    def seen(self, write: Write, now: float) -> bool:
        return write.kind != "upload" and super().seen(write, now)


@fault(
    "lags_beyond_the_bound",
    _LISTS_UPLOADS,
    f"every listing shows the state of {2.5 * CONVERGENCE_WAIT_S:g} s ago: longer than the suite waits",
)
@dataclass
class LagsBeyondTheBound(Store):
    consistency_lag_s: float = 2.5 * CONVERGENCE_WAIT_S
    visibility_lag_s: float | None = 0.0  # its listings lag; its users are found at once
