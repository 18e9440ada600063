"""Fixtures of a conformance run: the target, the client, the run-scoped seeded users, page walks."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from conformance.plugin import run_setting
from conformance.checks.pagination import Walk
from conformance.client import IamClient, Identity
from conformance.preflight import AUTH_REFUSALS, identity_for, monotonic_deadline
from conformance.seeding import SeededUser, Seeder
from conformance.target import EmbeddedMoto, Target, moto_version, resolve_endpoint, resolve_region
from conformance.wire import Exchange, read_error, read_listing

# Pages a walk may take before it counts as endless: a user holds few certificates.
WALK_PAGE_LIMIT = 12
# How long a fresh access key may take to authenticate (IAM is eventually consistent).
KEY_PROPAGATION_S = 15.0

_totals: dict = {"requests": 0, "retries": [], "waits": [], "gave_up": None, "target": "", "cleanup_problems": []}


def process_totals() -> dict:
    return dict(_totals)


@pytest.fixture(scope="session")
def conformance_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    endpoint, _ = resolve_endpoint(pytestconfig.getoption("endpoint_url"))
    region = resolve_region(pytestconfig.getoption("region"))
    if endpoint is not None:
        _totals["target"] = endpoint
        yield Target(endpoint, region, identity_for(endpoint), endpoint, embedded=False)
        return
    with EmbeddedMoto() as moto:
        _totals["target"] = f"embedded moto {moto_version()}"
        yield Target(moto.url, region, identity_for(None), _totals["target"], embedded=True)


@pytest.fixture(scope="session")
def iam(conformance_target: Target, pytestconfig: pytest.Config) -> Iterator[IamClient]:
    client = IamClient(conformance_target.endpoint, conformance_target.region, conformance_target.identity,
                       monotonic_deadline(pytestconfig))
    yield client
    _totals["requests"] += client.request_count
    _totals["retries"] += client.retries
    _totals["gave_up"] = _totals["gave_up"] or client.gave_up
    client.close()


@pytest.fixture(scope="session")
def run_id(pytestconfig: pytest.Config) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    return f"{run_setting(pytestconfig, 'iam_run_id')}-{worker}"


@pytest.fixture(scope="session")
def seeder(iam: IamClient, run_id: str) -> Iterator[Seeder]:
    made = Seeder(iam, run_id)
    try:
        yield made
    finally:
        _totals["cleanup_problems"] += made.cleanup()
        _totals["waits"] += made.waits


@pytest.fixture(autouse=True)
def requests_of_this_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """How many requests each test sent (seeding included where it first happens), for the per-category budget."""
    if "iam" not in request.fixturenames:
        yield
        return
    client: IamClient = request.getfixturevalue("iam")
    before = client.request_count
    yield
    request.node.user_properties.append(("requests", client.request_count - before))


@pytest.fixture(scope="session")
def user_without_certificates(seeder: Seeder) -> SeededUser:
    return seeder.user("none")


@pytest.fixture(scope="session")
def user_with_one_certificate(seeder: Seeder) -> SeededUser:
    return seeder.fill(seeder.user("one"), 1)


@pytest.fixture(scope="session")
def user_with_two_certificates(seeder: Seeder) -> SeededUser:
    return seeder.fill(seeder.user("two"), 2)


@pytest.fixture(scope="session")
def user_with_most_certificates(seeder: Seeder) -> SeededUser:
    """As many certificates as the target's quota allows, up to 5 (real IAM: 2)."""
    return seeder.fill(seeder.user("most"), 5)


@pytest.fixture(scope="session")
def seeded_users(user_without_certificates, user_with_one_certificate, user_with_two_certificates,
                 user_with_most_certificates) -> list[SeededUser]:
    return [user_without_certificates, user_with_one_certificate, user_with_two_certificates,
            user_with_most_certificates]


@pytest.fixture(scope="session")
def walker(iam: IamClient):
    """walk(user_name, max_items, identity=None) -> Walk; identical walks of unchanged users are reused."""
    cache: dict[tuple, Walk] = {}

    def walk(user_name: str | None, max_items: int | None, identity: Identity | None = None,
             cached: bool = True) -> Walk:
        key = (user_name, max_items, identity.label if identity else None)
        if cached and key in cache:
            return cache[key]
        done = Walk(user_name, max_items)
        marker: str | None = None
        while True:
            params = {k: v for k, v in (("UserName", user_name), ("MaxItems", max_items), ("Marker", marker))
                      if v is not None}
            page = iam.call("ListSigningCertificates", {k: str(v) for k, v in params.items()}, identity=identity)
            done.pages.append(page)
            listing = read_listing(page)
            if listing is None or not listing.truncated:
                break
            if not listing.marker:
                done.stopped_early = "a truncated page without a Marker: no way to continue"
                break
            if len(done.pages) >= WALK_PAGE_LIMIT:
                done.stopped_early = f"still truncated after {WALK_PAGE_LIMIT} pages"
                break
            marker = listing.marker
        if cached:
            cache[key] = done
        return done

    return walk


@pytest.fixture(scope="session")
def identity_of(seeder: Seeder, iam: IamClient):
    """identity_of(user) -> Identity signing as that user, once its new access key authenticates."""

    def make(user: SeededUser) -> Identity:
        identity = seeder.access_key(user)
        started = time.monotonic()
        while True:
            probe = iam.call("GetUser", {}, identity=identity)
            error = read_error(probe)
            if error is None or error.code not in AUTH_REFUSALS or time.monotonic() - started > KEY_PROPAGATION_S:
                break
            time.sleep(1.0)
        if time.monotonic() - started > 1.0:
            seeder.waits.append({"what": f"new access key of {user.name} to authenticate",
                                 "seconds": round(time.monotonic() - started, 2)})
        return identity

    return make


@pytest.fixture(scope="session")
def absent_user_name(run_id: str) -> str:
    return f"ic-{run_id}-absent"


@pytest.fixture(scope="session")
def error_samples(iam: IamClient, absent_user_name: str) -> dict[str, Exchange]:
    """One exchange per kind of error the page or the protocol promises, made once per run. They name an absent
    user: validation and authentication come before any lookup, and nothing needs creating (--read-only)."""
    name = absent_user_name
    return {
        "no such user": iam.call("ListSigningCertificates", {"UserName": absent_user_name}),
        "MaxItems=0": iam.call("ListSigningCertificates", {"UserName": name, "MaxItems": "0"}),
        "unknown action": iam.call("IamConformanceNoSuchAction", {}),
        "unsigned": iam.call("ListSigningCertificates", {"UserName": name}, identity=Identity.unsigned()),
    }
