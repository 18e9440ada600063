"""Fixtures of a conformance run: the target, the client, the run-scoped seeded users, page walks, the judge.

Registered by the run's RunProcess only (conformance.process), never in another pytest session. Everything a fixture
spends or learns (requests, retries, waits, cleanup problems, secrets) goes to that process's ledger.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.checks import Judge
from conformance.checks.pagination import Walk
from conformance.client import IamClient, Identity
from conformance.preflight import AUTH_REFUSALS, caller, monotonic_deadline
from conformance.seeding import SeededUser, Seeder
from conformance.settings import RunSettings
from conformance.wire import Exchange, read_error, read_listing

# Pages a walk may take before it counts as endless: a user holds few certificates.
WALK_PAGE_LIMIT = 12
# How long a fresh access key may take to authenticate (IAM is eventually consistent).
KEY_PROPAGATION_S = 15.0


@dataclass(frozen=True)
class Target:
    endpoint: str
    region: str
    identity: Identity  # the caller
    label: str  # what reports call the target
    settings: RunSettings


@pytest.fixture(scope="session")
def conformance_process(pytestconfig: pytest.Config):
    """This process's part of the run (conformance.process.RunProcess)."""
    return pytestconfig.pluginmanager.get_plugin("iam-conformance-process")


@pytest.fixture(scope="session")
def conformance_target(conformance_process) -> Target:
    settings = conformance_process.settings
    return Target(settings.endpoint, settings.region, caller(settings), settings.target_label, settings)


@pytest.fixture
def judge() -> Judge:
    """Runs this test's checks and keeps count of what they judged (a requirement passes only on a real judgment)."""
    return Judge()


@pytest.fixture(scope="session")
def iam(conformance_target: Target, conformance_process) -> Iterator[IamClient]:
    client = IamClient(conformance_target.endpoint, conformance_target.region, conformance_target.identity,
                       monotonic_deadline(conformance_target.settings))
    conformance_process.ledger.clients.append(client)
    yield client
    client.close()


@pytest.fixture(scope="session")
def run_id(conformance_target: Target) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")  # set by xdist itself in each worker
    return f"{conformance_target.settings.run_id}-{worker}"


@pytest.fixture(scope="session")
def seeder(iam: IamClient, run_id: str, conformance_process) -> Iterator[Seeder]:
    ledger, settings = conformance_process.ledger, conformance_process.settings
    made = Seeder(iam, run_id, learn_secret=conformance_process.learn_secret)
    ledger.seeders.append(made)
    try:
        yield made
    finally:
        before = iam.request_count
        if settings.keep_resources:
            ledger.kept += [user.name for user in made.users]
        else:
            ledger.cleanup_problems += made.cleanup()
        ledger.cleanup_requests += iam.request_count - before


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


def listed_state(walk: Walk) -> dict[str, str] | None:
    """certificate id -> status over a whole walk; None when the walk is no clean listing (a page that is not one,
    a certificate twice, a walk that stopped early): no lag explains those, the checks judge them."""
    listings = walk.listings()
    if walk.stopped_early or len(listings) != len(walk.pages):
        return None
    shown = {c.certificate_id: c.status for listing in listings for c in listing.certificates}
    return shown if len(shown) == len(walk.ids()) else None


@pytest.fixture(scope="session")
def walker(iam: IamClient, seeder: Seeder):
    """walk(user_name, max_items, identity=None) -> Walk; identical walks of unchanged users are reused.

    A walk of a user the run just wrote to (upload, status change, delete) that shows an earlier state is walked
    again, within a bounded wait reported with the run (IAM is eventually consistent: Seeder.settle)."""
    cache: dict[tuple, Walk] = {}

    def walk_once(user_name: str | None, max_items: int | None, identity: Identity | None) -> Walk:
        done = Walk(user_name, max_items)
        marker: str | None = None
        seen_markers: set[str] = set()
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
            if listing.marker in seen_markers:
                done.stopped_early = f"the Marker {listing.marker!r} came back again: the walk goes in circles"
                break
            if len(done.pages) >= WALK_PAGE_LIMIT:
                done.stopped_early = f"still truncated after {WALK_PAGE_LIMIT} pages"
                break
            marker = listing.marker
            seen_markers.add(marker)
        return done

    def walk(user_name: str | None, max_items: int | None, identity: Identity | None = None,
             cached: bool = True) -> Walk:
        key = (user_name, max_items, identity.label if identity else None)
        if cached and key in cache:
            return cache[key]
        owner = user_name
        if owner is None and identity is not None and identity.credentials is not None:
            signer = seeder.user_of_key(identity.credentials.access_key)  # the user whose certificates it lists
            owner = signer.name if signer else None
        if owner is None:
            done = walk_once(user_name, max_items, identity)
        else:
            done = seeder.settle(owner, lambda: walk_once(user_name, max_items, identity), listed_state)
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
