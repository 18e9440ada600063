"""What the suite creates on the target, under its own run-scoped path, and how all of it goes away again.

Every user lives under /iam-conformance/<run-id>/ with a run-unique name. Cleanup deletes what this run
recorded, then sweeps that run's path for anything a failed call left half-made; it never touches entities
outside the run's own path.

IAM is eventually consistent: the Seeder remembers each user's recent writes (the states they went through), so
that a listing showing an earlier state is listed again, within a bounded and reported wait (`Seeder.settle`).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from botocore.credentials import Credentials
from lxml import etree

from conformance.certificates import new_certificate_pem
from conformance.client import IamClient, Identity, TargetUnreachable
from conformance.spec import operation
from conformance.wire import Exchange, child, children, describe, read_error, result_element, text

SUITE_PATH = "/iam-conformance/"
# A new user may do nothing on real IAM: the identity check's user may read itself, nothing more.
SELF_READ_POLICY_NAME = "iam-conformance-self-read"
SELF_READ_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListSigningCertificates"],
    "Resource": "arn:aws:iam::*:user/iam-conformance/*/${aws:username}"}]})
# IAM is eventually consistent: a user or certificate just created may answer NoSuchEntity for a few seconds.
VISIBILITY_WAIT_S = 10.0
# What one cleanup (a run's own, or `iam-conformance cleanup`) may ask of the target, whatever it answers. Real IAM
# lists 100 users per page and answers in ~0.1 s: the time budget (CLEANUP_GRACE_S, SWEEP_DEADLINE_S) binds there
# first; these bind on a fast target that lists without end.
CLEANUP_PAGE_LIMIT = 100
CLEANUP_REQUEST_LIMIT = 5000
CLEANUP_PROBLEM_LIMIT = 50  # refused deletions: past this many the target is not deleting anything
SWEEP_DEADLINE_S = 600  # `iam-conformance cleanup` as a whole
FINISH_LATER = "run `iam-conformance cleanup` to delete what is left"
# ... and a listing right after an upload, a status change or a delete may show an earlier state: it is listed
# again until it shows the last write, for at most this long after that write. Beyond it, it is judged as it is.
CONVERGENCE_WAIT_S = 10.0
W = TypeVar("W")


class SeedingError(RuntimeError):
    """A call the suite needs for setting up failed; carries the exchange as evidence."""

    def __init__(self, what: str, exchange: Exchange) -> None:
        error = read_error(exchange)
        # Never cut here: whatever reports this is redacted first and cut after (a secret echoed across a cut would leak).
        detail = f"{error.code}: {error.message}" if error else describe(exchange)
        super().__init__(f"{what} failed with HTTP {exchange.status} ({detail})")
        self.exchange = exchange


@dataclass
class UploadedCertificate:
    certificate_id: str
    body: str
    status: str = "Active"
    upload_date: str | None = None  # as UploadSigningCertificate reported it
    # The suite's clock (epoch seconds) when the upload that succeeded was sent and answered.
    sent_at: float | None = None
    answered_at: float | None = None


@dataclass
class SeededUser:
    name: str
    certificates: list[UploadedCertificate] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    # The kinds of things the target may hold for this user beyond the records above, which cleanup therefore
    # lists before deleting. A user found on the target may hold anything; a user the Seeder made holds only
    # what the Seeder tried to create for it (nothing else ever touches a run's own users).
    may_hold: set[str] = field(default_factory=lambda: {holding.kind for holding in _HOLDINGS})

    def by_id(self) -> dict[str, UploadedCertificate]:
        return {c.certificate_id: c for c in self.certificates}

    def state(self) -> dict[str, str]:
        """What a listing of this user must show: certificate id -> status."""
        return {c.certificate_id: c.status for c in self.certificates}


@dataclass
class RecentWrites:
    """A user's writes within CONVERGENCE_WAIT_S of each other: the states a listing may still show."""

    states: list[dict[str, str]]  # before the first of these writes, then after each one (the last is current)
    last_at: float  # time.monotonic() of the last write
    last_what: str

    def explains(self, listed: dict[str, str]) -> bool:
        """Whether `listed` could be a lagging view: each certificate shown as some recent state had it."""
        return all(any(state.get(cid) == status for state in self.states) for cid, status in listed.items())


class Seeder:
    def __init__(self, client: IamClient, run_id: str,
                 learn_secret: Callable[[str], None] = lambda secret: None) -> None:
        self.client = client
        self.run_id = run_id
        self.learn_secret = learn_secret  # every secret key the run creates goes to the run's redaction
        self.path = f"{SUITE_PATH}{run_id}/"
        self.users: list[SeededUser] = []
        self.created_anything = False  # set before the first CreateUser: an answer lost on the way leaves a user
        self.waits: list[dict] = []  # every eventual-consistency wait, for the report
        self.recent: dict[str, RecentWrites] = {}  # user name -> its recent writes
        # Set when a listing still showed an earlier state after CONVERGENCE_WAIT_S: that listing failed, and later
        # ones are judged at once (a target that never converges must not cost the bound on every listing).
        self.stopped_waiting: str | None = None

    def _once_visible(self, what: str, send: Callable[[], Exchange]) -> Exchange:
        """`send()` again while it answers NoSuchEntity about something just created, for a bounded time."""
        started, pause, waited = time.monotonic(), 0.25, False
        exchange = send()
        while (error := read_error(exchange)) is not None and error.code == "NoSuchEntity" \
                and time.monotonic() - started < VISIBILITY_WAIT_S:
            time.sleep(pause)
            pause, waited = min(2.0, pause * 2), True
            exchange = send()
        if waited:  # a slow answer (a throttled call's retries) is no consistency wait: the retry log has it
            self.waits.append({"what": what, "seconds": round(time.monotonic() - started, 2)})
        return exchange

    def _ok(self, what: str, exchange: Exchange) -> Exchange:
        if exchange.status != 200:
            raise SeedingError(what, exchange)
        return exchange

    def user(self, label: str) -> SeededUser:
        name = f"ic-{self.run_id}-{label}"
        self.created_anything = True
        self._ok(f"CreateUser {name}", self.client.call("CreateUser", {"UserName": name, "Path": self.path}))
        user = SeededUser(name, may_hold=set())
        self.users.append(user)
        return user

    def upload(self, user: SeededUser) -> UploadedCertificate | Exchange:
        """Upload a fresh certificate; the refused exchange is returned when the target says no (quota)."""
        body = new_certificate_pem(user.name)
        before = user.state()
        user.may_hold.add("certificates")  # before the call: an answer lost on the way must not hide a certificate
        sent_at = time.time()
        exchange = self._once_visible(f"UploadSigningCertificate for new user {user.name}", lambda: self.client.call(
            "UploadSigningCertificate", {"UserName": user.name, "CertificateBody": body}))
        if exchange.status != 200:
            return exchange
        certificate = child(result_element(exchange, "UploadSigningCertificate"), "Certificate")
        certificate_id = text(child(certificate, "CertificateId"))
        if not certificate_id:
            raise SeedingError(f"UploadSigningCertificate for {user.name} returned no CertificateId", exchange)
        uploaded = UploadedCertificate(certificate_id, body, upload_date=text(child(certificate, "UploadDate")),
                                       sent_at=sent_at, answered_at=time.time())
        user.certificates.append(uploaded)
        self._wrote(user, f"upload of {certificate_id}", before)
        return uploaded

    def fill(self, user: SeededUser, wanted: int) -> SeededUser:
        """Upload up to `wanted` certificates; stop quietly at the target's quota (LimitExceeded)."""
        while len(user.certificates) < wanted:
            outcome = self.upload(user)
            if isinstance(outcome, Exchange):
                error = read_error(outcome)
                if error is not None and error.code == "LimitExceeded" \
                        and len(user.certificates) >= operation().certificates_per_user:
                    break
                raise SeedingError(f"UploadSigningCertificate for {user.name}", outcome)
        return user

    def set_status(self, user: SeededUser, certificate: UploadedCertificate, status: str) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id, "Status": status}
        before = user.state()
        self._ok("UpdateSigningCertificate", self._once_visible(
            "UpdateSigningCertificate of a new certificate", lambda: self.client.call("UpdateSigningCertificate", params)))
        certificate.status = status
        self._wrote(user, f"status change of {certificate.certificate_id} to {status}", before)

    def delete_certificate(self, user: SeededUser, certificate: UploadedCertificate) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id}
        before = user.state()
        self._ok("DeleteSigningCertificate", self._once_visible(
            "DeleteSigningCertificate of a new certificate", lambda: self.client.call("DeleteSigningCertificate", params)))
        user.certificates.remove(certificate)
        self._wrote(user, f"deletion of {certificate.certificate_id}", before)

    # -- eventual consistency of listings ------------------------------------------------------------------
    def _wrote(self, user: SeededUser, what: str, before: dict[str, str]) -> None:
        now = time.monotonic()
        recent = self.recent.get(user.name)
        if recent is None or now - recent.last_at > CONVERGENCE_WAIT_S:
            recent = self.recent[user.name] = RecentWrites([before], now, what)
        recent.states.append(user.state())
        recent.last_at, recent.last_what = now, what

    def user_of_key(self, access_key_id: str) -> SeededUser | None:
        return next((u for u in self.users if access_key_id in u.access_keys), None)

    def settle(self, user_name: str, listing: Callable[[], W], listed: Callable[[W], dict[str, str] | None]) -> W:
        """`listing()`, again while what it shows (`listed`: certificate id -> status, None when unreadable) is an
        earlier state of the user's recent writes, for at most CONVERGENCE_WAIT_S after the last one. One listing
        when it already shows the last write (or something no lag explains): a retry costs requests."""
        started, pause = time.monotonic(), 0.5
        seen = listing()
        user = next((u for u in self.users if u.name == user_name), None)
        recent = self.recent.get(user_name)
        if user is None or recent is None:
            return seen
        tries = 1
        while self.stopped_waiting is None:
            shown = listed(seen)
            if shown is None or shown == user.state() or not recent.explains(shown):
                break
            if time.monotonic() - recent.last_at >= CONVERGENCE_WAIT_S:
                self.stopped_waiting = (f"the listing of {user_name} still showed an earlier state "
                                        f"{CONVERGENCE_WAIT_S:g} s after its {recent.last_what}")
                self.waits.append({"what": f"{self.stopped_waiting}: judged as it was; later listings in this "
                                           "process are not waited for",
                                   "seconds": round(time.monotonic() - started, 2)})
                return seen
            time.sleep(min(pause, max(0.0, recent.last_at + CONVERGENCE_WAIT_S - time.monotonic())))
            pause = min(2.0, pause * 2)
            seen, tries = listing(), tries + 1
        if tries > 1:
            self.waits.append({"what": f"listing of {user_name} to show its {recent.last_what} ({tries} listings)",
                               "seconds": round(time.monotonic() - started, 2)})
        return seen

    def access_key(self, user: SeededUser) -> Identity:
        """A new access key of `user`, allowed (where the target enforces permissions) to read itself."""
        user.may_hold.update(("policies", "access_keys"))
        granted = self._once_visible(f"PutUserPolicy for new user {user.name}", lambda: self.client.call(
            "PutUserPolicy", {"UserName": user.name, "PolicyName": SELF_READ_POLICY_NAME,
                              "PolicyDocument": SELF_READ_POLICY}))
        if granted.status == 200:  # an emulator without PutUserPolicy enforces no permissions either
            user.policies.append(SELF_READ_POLICY_NAME)
        exchange = self._ok("CreateAccessKey", self._once_visible(
            f"CreateAccessKey for new user {user.name}", lambda: self.client.call("CreateAccessKey", {"UserName": user.name})))
        key = child(result_element(exchange, "CreateAccessKey"), "AccessKey")
        key_id, secret = text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey"))
        if not key_id or not secret:
            raise SeedingError("CreateAccessKey returned no key", exchange)
        self.learn_secret(secret)
        user.access_keys.append(key_id)
        return Identity(f"access key of {user.name}", Credentials(key_id, secret))

    def cleanup(self) -> list[str]:
        """Delete everything this run made; returns what could not be deleted (never raises)."""
        if not self.created_anything:  # --read-only, or nothing needed users: nothing to list or delete
            return []
        self.client.lift_deadline()  # the run's deadline bounds the checks, never the cleanup
        cleanup = Cleanup(self.client, self.path)
        # What the run recorded, then whatever a failed call left half-made under its path, as it is listed.
        cleanup.run(itertools.chain(self.users, (SeededUser(name) for name in suite_users(cleanup, self.path))))
        self.users.clear()
        return cleanup.problems


# A run's own path: /iam-conformance/<8 hex>-<worker>/ (seeding.Seeder); nothing else is ever swept.
RUN_PATH = re.compile(r"/iam-conformance/[0-9a-f]{8}-[A-Za-z0-9_]+/")


# IAM user names: at most 64 characters of [\w+=,.@-]; anything else a target lists is not the suite's.
SUITE_USER_NAME = re.compile(r"ic-[\w+=,.@-]{1,61}", re.ASCII)


class CleanupStopped(Exception):
    """A cleanup bound was reached, or the target's listing cannot be followed: the rest is left for later."""


class Cleanup:
    """One bounded cleanup: its requests are counted and its problems collected, never raised."""

    def __init__(self, client: IamClient, path: str) -> None:
        self.client = client
        self.path = path  # what is being cleaned up, for the problems' wording
        self.problems: list[str] = []
        self.deleted: list[str] = []  # users the target said it deleted (or no longer had)
        self._attempted: set[str] = set()  # at most one name per request made: bounded by the request limit
        self._stop_at = client.request_count + CLEANUP_REQUEST_LIMIT

    def call(self, action: str, params: dict[str, str]) -> Exchange:
        if self.client.request_count >= self._stop_at:
            raise CleanupStopped(f"it reached its bound of {CLEANUP_REQUEST_LIMIT} requests")
        return self.client.call(action, params)

    def problem(self, text: str) -> None:
        self.problems.append(text)
        if len(self.problems) >= CLEANUP_PROBLEM_LIMIT:
            raise CleanupStopped(f"{CLEANUP_PROBLEM_LIMIT} deletions were refused")

    def run(self, users: Iterable[SeededUser]) -> None:
        """Delete `users` one by one as they come (each once); a stop or a lost target becomes a problem."""
        try:
            for user in users:
                if user.name in self._attempted:
                    continue
                self._attempted.add(user.name)
                if delete_user(self, user):
                    self.deleted.append(user.name)
        except (CleanupStopped, TargetUnreachable) as exc:
            deadline = self.client.deadline
            if isinstance(exc, CleanupStopped):
                why = str(exc)
            elif deadline is not None and time.monotonic() >= deadline:
                why = "its time ran out"
            else:
                why = f"the target stopped answering ({exc})"
            self.problems.append(f"cleanup stopped: {why}; {FINISH_LATER} under {self.path}")


def suite_users(cleanup: Cleanup, path_prefix: str) -> Iterator[str]:
    """The suite's users under `path_prefix` whose path is a run path, page by page as ListUsers gives them.

    Only the current page's names and a digest of each Marker seen are held. Raises CleanupStopped on a Marker
    seen before (a cycle), past CLEANUP_PAGE_LIMIT pages, or when a listing cannot be read.
    """
    marker, seen = None, set()
    for page in range(1, CLEANUP_PAGE_LIMIT + 1):
        exchange = cleanup.call("ListUsers", {"PathPrefix": path_prefix, **({"Marker": marker} if marker else {})})
        result = result_element(exchange, "ListUsers")
        if result is None and marker is not None:
            # IAM may not honour a Marker once users before it were deleted: start again from the top, where
            # the users still left now come first.
            marker, seen = None, set()
            continue
        if result is None:
            error = read_error(exchange)
            code = f" {error.code[:64]}" if error is not None and error.code else ""
            raise CleanupStopped(f"ListUsers answered HTTP {exchange.status}{code}, not a listing")
        names = []
        for member in children(child(result, "Users"), "member"):
            name, path = text(child(member, "UserName")) or "", text(child(member, "Path")) or ""
            if SUITE_USER_NAME.fullmatch(name) and RUN_PATH.fullmatch(path) and path.startswith(path_prefix):
                names.append(name)
        truncated, marker = text(child(result, "IsTruncated")) == "true", text(child(result, "Marker"))
        del exchange, result  # the page's tree goes before its users are deleted
        yield from names
        if not truncated:
            return
        if not marker:
            raise CleanupStopped("ListUsers said more users follow but gave no Marker")
        digest = hashlib.sha256(marker.encode("utf-8", "replace")).digest()
        if digest in seen:
            raise CleanupStopped(f"ListUsers gave a Marker it had given before, after {page} pages (a cycle)")
        seen.add(digest)
    raise CleanupStopped(f"ListUsers still had more users after {CLEANUP_PAGE_LIMIT} pages")


def sweep_run(client: IamClient, run_id: str) -> list[str]:
    """Delete what is left under one run's own paths (/iam-conformance/<run id>-<worker>/), bounded as every
    cleanup is; the problems (never raises)."""
    cleanup = Cleanup(client, f"{SUITE_PATH}{run_id}-*/")
    cleanup.run(SeededUser(name) for name in suite_users(cleanup, f"{SUITE_PATH}{run_id}-"))
    return cleanup.problems


def sweep_leftovers(client: IamClient) -> tuple[list[str], list[str]]:
    """`iam-conformance cleanup`: delete every suite user left under /iam-conformance/ by earlier runs.

    Returns the users deleted (as far as the target said) and the problems; never raises."""
    cleanup = Cleanup(client, SUITE_PATH)
    cleanup.run(SeededUser(name) for name in suite_users(cleanup, SUITE_PATH))
    return cleanup.deleted, cleanup.problems


@dataclass(frozen=True)
class _Holding:
    """One kind of thing a user holds that must go before the user can: how to list it and delete it."""

    kind: str  # as in SeededUser.may_hold
    list_action: str
    list_element: str  # the element of the list result whose members name the things
    member_id: Callable[[etree._Element], str | None]
    delete_action: str
    id_parameter: str
    label: str


_HOLDINGS = (
    _Holding("certificates", "ListSigningCertificates", "Certificates", lambda m: text(child(m, "CertificateId")),
             "DeleteSigningCertificate", "CertificateId", "certificate"),
    _Holding("access_keys", "ListAccessKeys", "AccessKeyMetadata", lambda m: text(child(m, "AccessKeyId")),
             "DeleteAccessKey", "AccessKeyId", "access key"),
    _Holding("policies", "ListUserPolicies", "PolicyNames", text, "DeleteUserPolicy", "PolicyName", "policy"),
)


def _recorded(user: SeededUser, kind: str) -> list[str]:
    return {"certificates": [c.certificate_id for c in user.certificates], "access_keys": user.access_keys,
            "policies": user.policies}[kind]


def delete_user(cleanup: Cleanup, user: SeededUser) -> bool:
    """Delete a suite user's certificates, access keys and policies, then the user: whether the user is gone.
    Refusals become the cleanup's problems."""
    name = user.name
    for holding in _HOLDINGS:
        # What the run recorded plus what the target lists (a target that under-lists must not leave leftovers),
        # listed only for the kinds the user may hold: a user the Seeder made without keys needs no ListAccessKeys.
        # One listing: a suite user holds a handful (IAM lists 100); more is a target's problem, shown as one.
        held = list(_recorded(user, holding.kind))
        if holding.kind in user.may_hold:
            listed = result_element(cleanup.call(holding.list_action, {"UserName": name}), holding.list_action)
            held += [holding.member_id(m) for m in children(child(listed, holding.list_element), "member")]
        # IAM's ids and policy names are at most 128 characters: a longer one listed is none the suite made.
        for thing in dict.fromkeys(thing for thing in held if thing and len(thing) <= 128):
            done = cleanup.call(holding.delete_action, {"UserName": name, holding.id_parameter: thing})
            if done.status not in (200, 404):
                cleanup.problem(f"{holding.label} {thing} of {name}: HTTP {done.status}")
    done = cleanup.call("DeleteUser", {"UserName": name})
    if done.status not in (200, 404):
        cleanup.problem(f"user {name}: HTTP {done.status}")
        return False
    return True
