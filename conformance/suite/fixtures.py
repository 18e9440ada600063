"""Fixtures of a conformance run: the target, the client, the run-scoped seeded users, page walks, the judge.

Registered by the run's RunProcess only (conformance.run.process), never in another pytest session. Everything a fixture
spends or learns (requests, retries, waits, cleanup problems, secrets) goes to that process's ledger.
"""

from __future__ import annotations

import contextvars
import os
import string
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, cast

import pytest

from conformance.checks import Judge
from conformance.checks.observations import UploadedCertificate, Walk
from conformance.config.settings import RunSettings
from conformance.protocol.caller import Caller, caller_for
from conformance.protocol.client import AUTH_REFUSALS, IamClient, Identity, Tap
from conformance.protocol.pace import Pace, overlapped
from conformance.protocol.wire import Exchange, read_error, read_listing
from conformance.suite.side_by_side import BesideRuns
from conformance.world import population as populations
from conformance.world.seeding import SeededUser, Seeder
from conformance.world.walking import Walker

# How long a fresh access key may take to authenticate (IAM is eventually consistent).
KEY_PROPAGATION_S = 15.0


class FixtureLedger(Protocol):
    """What the fixtures add to the process's ledger (conformance.run.process.ProcessLedger)."""

    clients: list[IamClient]
    seeders: list[Seeder]
    cleanup_problems: list[str]
    cleanup_requests: int
    kept: list[str]


class ConformanceProcess(Protocol):
    """This process's part of the run, as the fixtures use it (conformance.run.process.RunProcess)."""

    settings: RunSettings
    ledger: FixtureLedger
    tap: Tap | None  # --record: shown every call of this process's client

    def learn_secret(self, *secrets: str | None) -> None: ...


@dataclass(frozen=True)
class Target:
    endpoint: str
    region: str
    identity: Identity  # the caller
    label: str  # what reports call the target
    settings: RunSettings


@pytest.fixture(scope="session")
def conformance_process(pytestconfig: pytest.Config) -> ConformanceProcess:
    """This process's part of the run (conformance.run.process.RunProcess)."""
    # Registered before these fixtures are: they exist in a conformance run only.
    return cast(ConformanceProcess, pytestconfig.pluginmanager.get_plugin("iam-conformance-process"))


@pytest.fixture(scope="session")
def conformance_target(conformance_process: ConformanceProcess) -> Target:
    settings = conformance_process.settings
    endpoint = cast(str, settings.endpoint)  # the embedded moto's URL once it runs: set before any test
    return Target(endpoint, settings.region, settings.caller(), settings.target_label, settings)


@pytest.fixture
def judge() -> Judge:
    """Runs this test's checks and keeps count of what they judged (a requirement passes only on a real judgment)."""
    return Judge()


@pytest.fixture(scope="session")
def iam(conformance_target: Target, conformance_process: ConformanceProcess) -> Iterator[IamClient]:
    settings = conformance_target.settings
    client = settings.client(pace=Pace(settings.max_concurrency, settings.max_rps))
    client.tap = conformance_process.tap
    conformance_process.ledger.clients.append(client)
    yield client
    client.close()


@pytest.fixture(scope="session", autouse=True)
def tests_beside(request: pytest.FixtureRequest, iam: IamClient) -> Iterator[BesideRuns]:
    """Start the tests marked `beside` (conformance.suite), each in a thread of its own, when the session starts.
    Not in an xdist worker (the workers are the parallelism there), nor with one call in flight at a time."""
    runs = BesideRuns()
    # Marked `beside`: test functions of the suite.
    items = cast(
        list[pytest.Function],
        [item for item in request.session.items if item.get_closest_marker("beside") is not None],
    )
    try:
        if items and iam.pace.ceiling > 1 and not os.environ.get("PYTEST_XDIST_WORKER"):
            runs.start(request, items, iam)  # may be interrupted while making a fixture: the started ones stop too
        yield runs
    finally:
        iam.halt("the run is ending")  # whatever still runs beside (an interrupted run) ends at its next call
        runs.stop()
        iam.halt(None)


@pytest.fixture(scope="session")
def caller(iam: IamClient, conformance_target: Target) -> Caller:
    """Who the run's own credentials are (conformance.protocol.caller). A long-term key (AKIA) is a user's or the
    root's: both list their own certificates, no call needed. Temporary credentials may act as a user (its own
    session) or as none (a role's, a federated one): one GetUser, UserName omitted, tells which."""
    return caller_for(conformance_target.settings.caller_kind, lambda: iam.call("GetUser", {}))


@pytest.fixture(scope="session")
def run_id(conformance_target: Target) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")  # set by xdist itself in each worker
    return f"{conformance_target.settings.run_id}-{worker}"


@pytest.fixture(scope="session")
def seeder(iam: IamClient, run_id: str, conformance_process: ConformanceProcess) -> Iterator[Seeder]:
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
def population(seeder: Seeder, walker: Walker, conformance_target: Target) -> dict[str, SeededUser]:
    """The users most checks list (conformance.world.population): this process's own, or those the run's owner made
    for every xdist worker."""
    shared = conformance_target.settings.population
    return populations.from_wire(shared) if shared else populations.make(seeder, walker)


@pytest.fixture(scope="session")
def user_without_certificates(population: dict[str, SeededUser]) -> SeededUser:
    return population["none"]


@pytest.fixture(scope="session")
def user_with_one_certificate(population: dict[str, SeededUser]) -> SeededUser:
    return population["one"]


@pytest.fixture(scope="session")
def user_with_two_certificates(population: dict[str, SeededUser]) -> SeededUser:
    return population["two"]


@pytest.fixture(scope="session")
def user_with_most_certificates(population: dict[str, SeededUser]) -> SeededUser:
    return population["most"]


@pytest.fixture(scope="session")
def seeded_users(
    user_without_certificates: SeededUser,
    user_with_one_certificate: SeededUser,
    user_with_two_certificates: SeededUser,
    user_with_most_certificates: SeededUser,
) -> list[SeededUser]:
    return [
        user_without_certificates,
        user_with_one_certificate,
        user_with_two_certificates,
        user_with_most_certificates,
    ]


@pytest.fixture(scope="session")
def walker(iam: IamClient, seeder: Seeder) -> Walker:
    """walker(user_name, max_items, ...) -> Walk (conformance.world.walking.Walker): walks reused, settled after
    writes."""
    return Walker(iam, seeder)


@pytest.fixture(scope="session")
def identity_of(seeder: Seeder, iam: IamClient) -> Callable[[SeededUser], Identity]:
    """identity_of(user) -> Identity signing as that user, once its new access key authenticates: one key per user,
    made by the first test that asks (IAM allows a user two)."""
    made: dict[str, Identity] = {}
    making: dict[str, threading.Lock] = {}
    guard = threading.Lock()

    def once(user: SeededUser) -> Identity:
        with guard:
            lock = making.setdefault(user.name, threading.Lock())
        with lock:
            if user.name not in made:
                made[user.name] = make(user)
            return made[user.name]

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
            seeder.waits.append(
                {
                    "what": f"new access key of {user.name} to authenticate",
                    "seconds": round(time.monotonic() - started, 2),
                }
            )
        return identity

    return once


@pytest.fixture(scope="session")
def absent_user_name(run_id: str) -> str:
    return f"ic-{run_id}-absent"


@pytest.fixture(scope="session")
def error_samples(iam: IamClient, absent_user_name: str, run_id: str) -> dict[str, Exchange]:
    """One exchange per kind of error the page or the protocol promises, made once per run, needing nothing created
    (--read-only, and a target whose set-up fails still has its errors judged). They name an absent user
    (validation and authentication come before any lookup), but for a Marker never issued: that one lists the
    caller's own certificates (UserName omitted), so that the Marker, not the name, is what gets refused."""
    name = absent_user_name
    asks: dict[str, Callable[[], Exchange]] = {
        "no such user": lambda: iam.call("ListSigningCertificates", {"UserName": absent_user_name}),
        "MaxItems=0": lambda: iam.call("ListSigningCertificates", {"UserName": name, "MaxItems": "0"}),
        "MaxItems=abc": lambda: iam.call("ListSigningCertificates", {"UserName": name, "MaxItems": "abc"}),
        "UserName over 128": lambda: iam.call("ListSigningCertificates", {"UserName": "u" * 129}),
        "Marker over 320": lambda: iam.call("ListSigningCertificates", {"UserName": name, "Marker": "m" * 321}),
        "Marker never issued": lambda: iam.call(
            "ListSigningCertificates", {"MaxItems": "1", "Marker": f"iam-conformance-never-issued-{run_id}"}
        ),
        "unknown action": lambda: iam.call("IamConformanceNoSuchAction", {}),
        "unsigned": lambda: iam.call("ListSigningCertificates", {"UserName": name}, identity=Identity.unsigned()),
    }
    return dict(zip(asks, overlapped(iam.pace, lambda ask: ask(), asks.values()), strict=False))


@dataclass
class History:
    """One user taken through the writes the page's listing must follow, with a walk after each (made once per run):
    a status change, a sibling's deletion between two pages of a walk, an upload into the freed quota slot, and its
    status change, every certificate then Inactive."""

    user: SeededUser
    inactive: UploadedCertificate  # the certificate set Inactive: the first the first page of MaxItems=1 showed
    deleted: UploadedCertificate  # the certificate deleted: one that page did not show
    # After "status change", "deletion", "upload after deletion"; "before deletion, paged" (MaxItems=1, every page,
    # its first page's Marker resumed after the deletion) and "all inactive, paged" (MaxItems=1, at the end)
    walks: dict[str, Walk]
    upload_after_deletion: UploadedCertificate | Exchange  # the UploadedCertificate, or the refused Exchange
    uploads: list[UploadedCertificate]  # every certificate uploaded, in order, the deleted one included
    resumed_after_deletion: Exchange | None  # the first page's Marker sent after the deletion (None: no Marker)


@pytest.fixture(scope="session")
def history(seeder: Seeder, walker: Walker, iam: IamClient) -> Iterator[Future[History]]:
    """The History, made in a thread of its own from the moment a test asks for it (its writes and walks must come
    in order, and need not wait for anyone else's): `history.result()` waits for it."""

    def script() -> History:
        user = seeder.fill(seeder.user("history"), 2)
        uploads = list(user.certificates)
        walks: dict[str, Walk] = {"before deletion, paged": walker(user.name, 1, cached=False)}
        first = read_listing(walks["before deletion, paged"].pages[0])
        shown = set(first.ids) if first else set()
        # The certificate the first page showed is set Inactive; one it did not show is deleted before the walk
        # resumes from that page's Marker: what the resumed page says about what is left is the point.
        inactive = next((c for c in uploads if c.certificate_id in shown), uploads[0])
        deleted = next(c for c in uploads if c is not inactive)
        seeder.set_status(user, inactive, "Inactive")
        walks["status change"] = walker(user.name, None, cached=False)
        seeder.delete_certificate(user, deleted)
        walks["deletion"] = walker(user.name, None, cached=False)  # once the listing shows it (consistency)
        marker = first.marker if first is not None and first.truncated else None
        resumed = None
        if marker:
            params = {"UserName": user.name, "MaxItems": "1", "Marker": marker}
            resumed = iam.call("ListSigningCertificates", params)
        uploaded = seeder.upload(user)
        walks["upload after deletion"] = walker(user.name, None, cached=False)
        if isinstance(uploaded, UploadedCertificate):
            uploads.append(uploaded)
            seeder.set_status(user, uploaded, "Inactive")
            walks["all inactive, paged"] = walker(user.name, 1, cached=False)
        return History(user, inactive, deleted, walks, uploaded, uploads, resumed)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="iam-history") as pool:
        made = pool.submit(contextvars.copy_context().run, script)
        yield made
        iam.halt("the run is ending")  # an interrupted run: the script stops at its next call
    iam.halt(None)


@pytest.fixture(scope="session")
def marker_answers(
    iam: IamClient, walker: Walker, user_with_one_certificate: SeededUser, user_with_two_certificates: SeededUser
) -> dict[str, Exchange]:
    """A real Marker (the first page of MaxItems=1 of the user with two certificates), sent where IAM never issued
    it: with another user's name ("another user's"), one character changed ("one character changed"), a character
    appended that no base64 holds ("one character appended"), and a line break after it ("with a trailing line
    break"). Empty when that page carried no Marker (PAG-04 says why)."""
    theirs = read_listing(walker(user_with_two_certificates.name, 1).pages[0])
    if theirs is None or not theirs.marker:
        return {}
    own, other = user_with_two_certificates.name, user_with_one_certificate.name
    asks = {
        "another user's": {"UserName": other, "MaxItems": "1", "Marker": theirs.marker},
        "one character changed": {"UserName": own, "MaxItems": "1", "Marker": one_character_changed(theirs.marker)},
        "one character appended": {"UserName": own, "MaxItems": "1", "Marker": theirs.marker + "!"},
        "with a trailing line break": {"UserName": own, "MaxItems": "1", "Marker": theirs.marker + "\n"},
    }
    return dict(zip(asks, iam.map("ListSigningCertificates", list(asks.values())), strict=True))


def one_character_changed(marker: str) -> str:
    """`marker` with one character, a quarter of the way in, replaced by its neighbour in [A-Za-z0-9] (an opaque
    token's integrity check sits at its start as often as its end; a quarter in, the change lands inside a base64
    token of the reference's markers, in its authentication tag). Still a Marker of the page's pattern."""
    at = len(marker) // 4
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits
    found = alphabet.find(marker[at])
    return marker[:at] + alphabet[(found + 1) % len(alphabet)] + marker[at + 1 :]


@pytest.fixture(scope="session")
def validated_user(request: pytest.FixtureRequest, conformance_target: Target, absent_user_name: str) -> str:
    """The UserName of the parameter checks: an existing user with certificates; under --read-only, which creates
    nothing, a user that does not exist (validation comes before any lookup, as the auth and error checks rely on)."""
    if conformance_target.settings.read_only:
        return absent_user_name
    user: SeededUser = request.getfixturevalue("user_with_two_certificates")
    return user.name


@pytest.fixture(scope="session")
def created_certificate_ids(request: pytest.FixtureRequest, conformance_target: Target) -> set[str]:
    """The certificates of the users the suite seeded (none under --read-only, which creates nothing)."""
    if conformance_target.settings.read_only:
        return set()
    users: list[SeededUser] = request.getfixturevalue("seeded_users")
    return {cid for user in users for cid in user.by_id()}
