"""The conformance tests: one module per category, each test marked with the requirement it enforces.

Run them with `iam-conformance run` or `pytest --pyargs conformance.suite`.
"""
import pytest


def requirement(requirement_id: str):
    """Mark a test as enforcing one requirement of schemas/requirements.json (id, category, page sentence)."""
    return pytest.mark.requirement(requirement_id)


# The longest test (the state machine: its own users, keys and sequences; 40 sequences of 20 steps in the thorough
# profile): the plugin schedules it first, so that under xdist one worker starts it while the other works through
# the short ones, instead of a lone worker finishing it after everything else is done.
runs_long = pytest.mark.runs_long


def follow(iam, user_name: str | None, first_max_items: int | None, then_max_items: int | None,
           method: str = "POST", page_limit: int = 12):
    """A walk whose first call asks for `first_max_items` and whose calls resumed from each Marker ask for
    `then_max_items` (None: omitted), all over `method` (the query protocol's GET or POST)."""
    from conformance.checks.pagination import Walk
    from conformance.wire import read_listing

    walk, marker = Walk(user_name, first_max_items), None
    while True:
        max_items = first_max_items if marker is None else then_max_items
        params = {k: str(v) for k, v in (("UserName", user_name), ("MaxItems", max_items), ("Marker", marker))
                  if v is not None}
        page = iam.call("ListSigningCertificates", params, method=method)
        walk.pages.append(page)
        listing = read_listing(page)
        if listing is None or not listing.truncated or not listing.marker or listing.marker == marker:
            if listing is not None and listing.truncated:
                walk.stopped_early = "a truncated page without a new Marker: no way to continue"
            return walk
        if len(walk.pages) >= page_limit:
            walk.stopped_early = f"still truncated after {page_limit} pages"
            return walk
        marker = listing.marker
