"""Whose listing a request names: UserName decides, whoever signs and however the name's letters are cased; and
invalid parameters are refused before anyone is looked up."""

from __future__ import annotations

import re

from conformance.checks import check
from conformance.checks.failures import ContentDeviation, NothingToJudge, StatusDeviation
from conformance.checks.observations import Walk
from conformance.contract.spec import Parameter
from conformance.protocol.wire import Exchange, describe, read_error, read_listing

# What IAM answers a caller without a user of its own when UserName is omitted (recorded for DeleteAccessKey).
NON_USER_CALLER = "Must specify userName when calling with non-User credentials"


def _listed(walk: Walk, expected: str) -> list[str]:
    """Every certificate id of a walk whose pages are all listings (else the walk is the wrong answer)."""
    for page in walk.pages:
        if read_listing(page) is None:
            raise StatusDeviation(expected, describe(page), page)
    if walk.stopped_early:
        raise ContentDeviation("a walk that ends with IsTruncated false", walk.stopped_early, walk.last)
    return [cid or "" for cid in walk.ids()]


@check
def named_user_listed(walk: Walk, named_ids: set[str], signer_ids: set[str]) -> None:
    """UserName given, signed with another user's access key: the named user's certificates, exactly, each member
    naming that user; never the signer's own. A policy may refuse the signer (403 AccessDenied, as the suite's
    self-read policy does on real IAM): then whose certificates would have been listed is not shown."""
    first = walk.pages[0]
    error = read_error(first)
    if first.status == 403 and error is not None and error.code == "AccessDenied":
        raise NothingToJudge(f"the signer may not list {walk.user_name} (AccessDenied): no listing to judge")
    expected = f"the certificates of {walk.user_name} (or 403 AccessDenied where a policy says so)"
    listed = _listed(walk, expected)
    if set(listed) & signer_ids:
        raise ContentDeviation(
            f"the certificates of {walk.user_name}, as UserName says", f"the signer's own: {sorted(listed)}", walk.last
        )
    if set(listed) != named_ids:
        raise ContentDeviation(f"exactly {sorted(named_ids)}", f"{sorted(listed)}", walk.last)
    owners = {c.user_name for listing in walk.listings() for c in listing.certificates}
    if owners - {walk.user_name}:
        shown = f"members naming {sorted(map(str, owners))}"
        raise ContentDeviation(f"members naming {walk.user_name}", shown, walk.last)


@check
def case_variant_names_that_user(walk: Walk, user_name: str, ids: set[str]) -> None:
    """A UserName differing only in case from an existing user's (walk.user_name is the variant). IAM names are not
    distinguished by case (no two users may differ only in it), so the name is that user's or no one's: its
    certificates, exactly, or 404 NoSuchEntity (whether IAM's lookups ignore case is not recorded: both are legal).
    Never an empty list for a user holding certificates, never another user's."""
    first = walk.pages[0]
    error = read_error(first)
    if error is not None:
        if first.status != 404 or error.code != "NoSuchEntity":
            raise StatusDeviation(f"the certificates of {user_name}, or 404 NoSuchEntity", describe(first), first)
        return
    listed = _listed(walk, f"the certificates of {user_name}, or 404 NoSuchEntity")
    if set(listed) != ids:
        raise ContentDeviation(
            f"the certificates of {user_name} ({sorted(ids)}), whose name {walk.user_name!r} is in another case",
            f"{sorted(listed) or 'an empty list'}",
            walk.last,
        )
    owners = {(c.user_name or "").lower() for listing in walk.listings() for c in listing.certificates}
    if owners - {user_name.lower()}:
        raise ContentDeviation(f"members naming {user_name}", f"members naming {sorted(owners)}", walk.last)


@check
def rejected_before_lookup(exchange: Exchange, parameter: Parameter, non_user_caller: bool) -> None:
    """An invalid value gets 400 ValidationError naming its member, whatever UserName says (absent, or naming no
    one): IAM's query front end validates the request before the action looks anyone up. With UserName omitted
    and credentials of no user, 'Must specify userName' is a ValidationError too (which of the two IAM names first
    is not recorded)."""
    expected = f"HTTP 400 ValidationError naming '{parameter.member}', before any lookup"
    error = read_error(exchange)
    if error is None or exchange.status != 400 or error.code != "ValidationError":
        raise StatusDeviation(expected, describe(exchange), exchange)
    message = error.message or ""
    names_it = re.search(rf"\b{re.escape(parameter.member)}\b", message, re.IGNORECASE) is not None
    if not names_it and not (non_user_caller and NON_USER_CALLER.lower() in message.lower()):
        raise ContentDeviation(expected, f"message {error.message!r}", exchange)
