"""What the suite did and saw, as the checks read it: the certificates it uploaded and the pages of a listing it
walked. Plain data, made by conformance.world, judged by the checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.protocol.wire import Exchange, Listing, read_listing


@dataclass(frozen=True)
class UploadedCertificate:
    certificate_id: str
    body: str
    status: str = "Active"
    upload_date: str | None = None  # as UploadSigningCertificate reported it
    # The suite's clock (epoch seconds) when the upload that succeeded was sent and answered.
    sent_at: float | None = None
    answered_at: float | None = None


@dataclass
class Walk:
    """Pages of one listing, in order. `max_items` None means the parameter was omitted."""

    user_name: str | None
    max_items: int | None
    pages: list[Exchange] = field(default_factory=list)
    stopped_early: str | None = None  # why the walker gave up before a page said IsTruncated=false

    def listings(self) -> list[Listing]:
        return [listing for page in self.pages if (listing := read_listing(page)) is not None]

    def ids(self) -> list[str | None]:
        return [cid for listing in self.listings() for cid in listing.ids]

    @property
    def last(self) -> Exchange | None:
        return self.pages[-1] if self.pages else None


def same_body(sent: str, returned: str | None) -> bool:
    """IAM returns the body as uploaded: the same characters, after XML's end-of-line handling only (a CR LF or a
    lone CR written as such in the answer reaches every reader as LF; written &#13; it stays). Blanks before and
    after the PEM are set aside: whether IAM keeps an upload's final line break is not recorded."""
    if returned is None:
        return False
    line_ends: Callable[[str], str] = lambda s: s.replace("\r\n", "\n").replace("\r", "\n").strip()  # noqa: E731
    return line_ends(sent) == line_ends(returned)
