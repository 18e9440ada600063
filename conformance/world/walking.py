"""Walking a listing: the pages got by sending back each Marker, bounded, reused when nothing changed, and walked
again (bounded, reported) while IAM has not caught up with a write the run just made (Seeder.settle)."""

from __future__ import annotations

import enum
import threading
from typing import Final, cast

from conformance.checks.observations import Walk
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.pace import overlapped
from conformance.protocol.wire import Listing, read_error, read_listing
from conformance.world.seeding import Seeder, State, Unseen

# Pages a walk may take before it counts as endless: a user holds few certificates.
WALK_PAGE_LIMIT = 12


class _Same(enum.Enum):
    """The type of SAME, a sentinel (None already means "omit MaxItems")."""

    SAME = "the first call's MaxItems"


SAME: Final = _Same.SAME  # a walk's resumed calls ask for the first call's MaxItems
# A walk as asked of walker.many: (user name, max_items[, identity]).
Ask = tuple[str | None, int | None] | tuple[str | None, int | None, Identity | None]
# A walk as cached: (user name, max_items, identity label, then_max_items, method).
_WalkKey = tuple[str | None, int | None, str | None, int | None, str]


def listed_state(walk: Walk) -> State | None:
    """certificate id -> status over a whole walk; Unseen.USER when its first page says there is no such user; None
    when the walk is no clean listing (a page that is not one, a certificate twice, a walk that stopped early): no lag
    explains those, the checks judge them."""
    first = read_error(walk.pages[0]) if walk.pages else None
    if first is not None and first.code == "NoSuchEntity":
        return Unseen.USER
    listings = walk.listings()
    if walk.stopped_early or len(listings) != len(walk.pages):
        return None
    shown = {c.certificate_id: c.status for listing in listings for c in listing.certificates}
    # A member without id or status (None) is compared as it is: it equals no state the suite wrote.
    return cast(dict[str, str], shown) if len(shown) == len(walk.ids()) else None


class Walker:
    """walker(user_name, max_items, identity=None, cached=True, then_max_items=..., method="POST") -> Walk.

    Identical walks of unchanged users are reused (one walk made, whoever asks at the same time). `then_max_items`:
    what the calls resumed from a Marker ask for (by default the first call's MaxItems; None omits it); `method`:
    the query protocol's POST or GET, for every page."""

    def __init__(self, iam: IamClient, seeder: Seeder) -> None:
        self.iam, self.seeder = iam, seeder
        self._cache: dict[_WalkKey, Walk] = {}
        self._walking: dict[_WalkKey, threading.Lock] = {}  # one lock per walk being made
        self._guard = threading.Lock()

    def __call__(
        self,
        user_name: str | None,
        max_items: int | None,
        identity: Identity | None = None,
        cached: bool = True,
        then_max_items: int | None | _Same = SAME,
        method: str = "POST",
    ) -> Walk:
        then_max_items = max_items if then_max_items is SAME else then_max_items
        ask = (user_name, max_items, identity, then_max_items, method)
        if not cached:
            return self._fresh(*ask)
        key: _WalkKey = (user_name, max_items, identity.label if identity else None, then_max_items, method)
        with self._guard:
            lock = self._walking.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = self._fresh(*ask)
            return self._cache[key]

    def many(self, asks: list[Ask]) -> list[Walk]:
        """walker(*ask) for each ask (user name, max_items[, identity]), overlapped within the pace; in order."""
        distinct = list(dict.fromkeys(asks))
        done = dict(zip(distinct, overlapped(self.iam.pace, lambda ask: self(*ask), distinct), strict=False))
        return [done[ask] for ask in asks]

    def _fresh(
        self,
        user_name: str | None,
        max_items: int | None,
        identity: Identity | None,
        then_max_items: int | None,
        method: str,
    ) -> Walk:
        owner = user_name
        if owner is None and identity is not None and identity.credentials is not None:
            signer = self.seeder.user_of_key(identity.credentials.access_key)  # whose certificates it lists
            owner = signer.name if signer else None

        def once() -> Walk:
            return self._walk_once(user_name, max_items, identity, then_max_items, method)

        return once() if owner is None else self.seeder.settle(owner, once, listed_state)

    def _walk_once(
        self,
        user_name: str | None,
        max_items: int | None,
        identity: Identity | None,
        then_max_items: int | None,
        method: str,
    ) -> Walk:
        done = Walk(user_name, max_items)
        marker: str | None = None
        seen_markers: set[str] = set()
        while True:
            asked = max_items if marker is None else then_max_items
            params = {
                k: str(v)
                for k, v in (("UserName", user_name), ("MaxItems", asked), ("Marker", marker))
                if v is not None
            }
            page = self.iam.call("ListSigningCertificates", params, identity=identity, method=method)
            done.pages.append(page)
            listing = read_listing(page)
            if listing is None or not listing.truncated:
                return done
            done.stopped_early = why_stop(listing, seen_markers, len(done.pages))
            if done.stopped_early:
                return done
            marker = cast(str, listing.marker)  # a page without one stopped the walk above
            seen_markers.add(marker)


def why_stop(truncated: Listing, seen_markers: set[str], pages: int) -> str | None:
    """Why a walk cannot go on after a page that says IsTruncated true (`pages` walked so far, the Markers sent back
    so far): no Marker, a Marker seen before, or too many pages; None when it goes on with the page's Marker."""
    if not truncated.marker:
        return "a truncated page without a Marker: no way to continue"
    if truncated.marker in seen_markers:
        return f"the Marker {truncated.marker!r} came back again: the walk goes in circles"
    if pages >= WALK_PAGE_LIMIT:
        return f"still truncated after {WALK_PAGE_LIMIT} pages"
    return None
