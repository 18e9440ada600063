"""What the suite creates on the target, under its own run-scoped path, and how all of it goes away again.

Every user lives under /iam-conformance/<run-id>/ with a run-unique name. Cleanup deletes what this run
recorded, then sweeps that run's path for anything a failed call left half-made; it never touches entities
outside the run's own path.

IAM is eventually consistent: the Seeder remembers each user's recent writes (the states they went through), so
that a listing showing an earlier state is listed again, within a bounded and reported wait (`Seeder.settle`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal, TypeAlias, TypedDict, TypeVar

from botocore.credentials import Credentials

from conformance.checks.observations import UploadedCertificate
from conformance.contract.spec import operation
from conformance.errors import ConformanceError
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.wire import Exchange, child, describe, read_error, result_element, text
from conformance.safety.bounds import MAX_VALUE_CHARS
from conformance.world.certificates import new_certificate_pem
from conformance.world.cleanup import HOLDING_KINDS, SUITE_PATH, Cleanup, Leftover, suite_users

# A new user may do nothing on real IAM: the identity check's user may read itself, nothing more.
SELF_READ_POLICY_NAME = "iam-conformance-self-read"
SELF_READ_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:GetUser", "iam:ListSigningCertificates"],
                "Resource": "arn:aws:iam::*:user/iam-conformance/*/${aws:username}",
            }
        ],
    }
)
# IAM is eventually consistent: a user or certificate just created may answer NoSuchEntity for a few seconds.
VISIBILITY_WAIT_S = 10.0
# ... and a listing right after an upload, a status change or a delete may show an earlier state: it is listed
# again until it shows the last write, for at most this long after that write. Beyond it, it is judged as it is.
CONVERGENCE_WAIT_S = 10.0
W = TypeVar("W")
MAX_KEY_ID_CHARS = 128  # IAM's bound on an access key id (and a longer one is none the suite can use or delete)


class ConsistencyWait(TypedDict):
    """One eventual-consistency wait, for the report."""

    what: str
    seconds: float


class SeedingError(ConformanceError, RuntimeError):
    """A call the suite needs for setting up failed; carries the exchange as evidence."""

    def __init__(self, what: str, exchange: Exchange) -> None:
        error = read_error(exchange)
        # Never cut here: whatever reports this is redacted first and cut after (a secret echoed across a cut would
        # leak).
        detail = f"{error.code}: {error.message}" if error else describe(exchange)
        super().__init__(f"{what} failed with HTTP {exchange.status} ({detail})")
        self.exchange = exchange


@dataclass
class SeededUser:
    name: str
    certificates: list[UploadedCertificate] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    # The kinds of things the target may hold for this user beyond the records above, which cleanup therefore
    # lists before deleting. A user found on the target may hold anything; a user the Seeder made holds only
    # what the Seeder tried to create for it (nothing else ever touches a run's own users).
    may_hold: set[str] = field(default_factory=lambda: set(HOLDING_KINDS))

    def position(self, certificate: UploadedCertificate) -> int:
        """Where the user's list holds `certificate` (by id: a status change replaces the record)."""
        return next(i for i, held in enumerate(self.certificates) if held.certificate_id == certificate.certificate_id)

    def by_id(self) -> dict[str, UploadedCertificate]:
        return {c.certificate_id: c for c in self.certificates}

    def recorded(self, kind: str) -> list[str]:
        """What the Seeder made for this user, of one kind of holding (conformance.world.cleanup.HOLDING_KINDS)."""
        return {
            "certificates": [c.certificate_id for c in self.certificates],
            "access_keys": self.access_keys,
            "policies": self.policies,
        }[kind]

    def state(self) -> dict[str, str]:
        """What a listing of this user must show: certificate id -> status."""
        return {c.certificate_id: c.status for c in self.certificates}


class Unseen(Enum):
    """A listing that showed no user at all: NoSuchEntity for a user the run created (IAM is eventually consistent:
    a user just created may be invisible for seconds)."""

    USER = "no such user"


# What a listing can show of a user: certificate id -> status, or no user yet.
State: TypeAlias = dict[str, str] | Literal[Unseen.USER]


@dataclass
class RecentWrites:
    """A user's writes within CONVERGENCE_WAIT_S of each other: the states a listing may still show."""

    states: list[State]  # before the first of these writes (no user, before its creation), then after each one
    last_at: float  # time.monotonic() of the last write
    last_what: str

    def explains(self, listed: State) -> bool:
        """Whether `listed` could be a lagging view: no user where the user was just created, or each certificate
        shown as some recent state had it."""
        if listed is Unseen.USER:
            return Unseen.USER in self.states
        shown = [state for state in self.states if state is not Unseen.USER]
        return all(any(state.get(cid) == status for state in shown) for cid, status in listed.items())


class Seeder:
    def __init__(
        self, client: IamClient, run_id: str, learn_secret: Callable[[str], object] = lambda secret: None
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.learn_secret = learn_secret  # every secret key the run creates goes to the run's redaction
        self.path = f"{SUITE_PATH}{run_id}/"
        self.users: list[SeededUser] = []
        self.created_anything = False  # set before the first CreateUser: an answer lost on the way leaves a user
        self.waits: list[ConsistencyWait] = []  # every eventual-consistency wait, for the report
        self.recent: dict[str, RecentWrites] = {}  # user name -> its recent writes
        # Set when a listing still showed an earlier state after CONVERGENCE_WAIT_S: that listing failed, and later
        # ones are judged at once (a target that never converges must not cost the bound on every listing).
        self.stopped_waiting: str | None = None

    def _once_visible(self, what: str, send: Callable[[], Exchange]) -> Exchange:
        """`send()` again while it answers NoSuchEntity about something just created, for a bounded time."""
        started, pause, waited = time.monotonic(), 0.25, False
        exchange = send()
        while (
            (error := read_error(exchange)) is not None
            and error.code == "NoSuchEntity"
            and time.monotonic() - started < VISIBILITY_WAIT_S
        ):
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
        self._wrote(user, "creation", Unseen.USER)  # a listing right after may not find it yet
        return user

    def upload(self, user: SeededUser, line_ending: str = "\n") -> UploadedCertificate | Exchange:
        """Upload a fresh certificate; the refused exchange is returned when the target says no (quota). A body
        with other line ends than LF (CR LF) that the target refuses as malformed is uploaded again with LF: which
        line ends IAM accepts is not recorded, and what the suite needs is a certificate."""
        if line_ending != "\n":
            outcome = self._upload(user, line_ending)
            error = read_error(outcome) if isinstance(outcome, Exchange) else None
            if error is None or error.code != "MalformedCertificate":
                return outcome
        return self._upload(user, "\n")

    def _upload(self, user: SeededUser, line_ending: str) -> UploadedCertificate | Exchange:
        body = new_certificate_pem(user.name, line_ending)
        before = user.state()
        user.may_hold.add("certificates")  # before the call: an answer lost on the way must not hide a certificate
        sent_at = time.time()
        exchange = self._once_visible(
            f"UploadSigningCertificate for new user {user.name}",
            lambda: self.client.call("UploadSigningCertificate", {"UserName": user.name, "CertificateBody": body}),
        )
        if exchange.status != 200:
            return exchange
        certificate = child(result_element(exchange, "UploadSigningCertificate"), "Certificate")
        certificate_id = text(child(certificate, "CertificateId"))
        if not certificate_id:
            raise SeedingError(f"UploadSigningCertificate for {user.name} returned no CertificateId", exchange)
        uploaded = UploadedCertificate(
            certificate_id,
            body,
            upload_date=text(child(certificate, "UploadDate")),
            sent_at=sent_at,
            answered_at=time.time(),
        )
        user.certificates.append(uploaded)
        self._wrote(user, f"upload of {certificate_id}", before)
        return uploaded

    def fill(self, user: SeededUser, wanted: int, line_ending: str = "\n") -> SeededUser:
        """Upload up to `wanted` certificates; stop quietly at the target's quota (LimitExceeded)."""
        while len(user.certificates) < wanted:
            outcome = self.upload(user, line_ending)
            if isinstance(outcome, Exchange):
                error = read_error(outcome)
                if (
                    error is not None
                    and error.code == "LimitExceeded"
                    and len(user.certificates) >= operation().certificates_per_user
                ):
                    break
                raise SeedingError(f"UploadSigningCertificate for {user.name}", outcome)
        return user

    def set_status(self, user: SeededUser, certificate: UploadedCertificate, status: str) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id, "Status": status}
        before = user.state()
        self._ok(
            "UpdateSigningCertificate",
            self._once_visible(
                "UpdateSigningCertificate of a new certificate",
                lambda: self.client.call("UpdateSigningCertificate", params),
            ),
        )
        user.certificates[user.position(certificate)] = replace(certificate, status=status)
        self._wrote(user, f"status change of {certificate.certificate_id} to {status}", before)

    def delete_certificate(self, user: SeededUser, certificate: UploadedCertificate) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id}
        before = user.state()
        self._ok(
            "DeleteSigningCertificate",
            self._once_visible(
                "DeleteSigningCertificate of a new certificate",
                lambda: self.client.call("DeleteSigningCertificate", params),
            ),
        )
        del user.certificates[user.position(certificate)]
        self._wrote(user, f"deletion of {certificate.certificate_id}", before)

    # -- eventual consistency of listings ------------------------------------------------------------------
    def _wrote(self, user: SeededUser, what: str, before: State) -> None:
        now = time.monotonic()
        recent = self.recent.get(user.name)
        if recent is None or now - recent.last_at > CONVERGENCE_WAIT_S:
            recent = self.recent[user.name] = RecentWrites([before], now, what)
        recent.states.append(user.state())
        recent.last_at, recent.last_what = now, what

    def user_of_key(self, access_key_id: str) -> SeededUser | None:
        return next((u for u in self.users if access_key_id in u.access_keys), None)

    def settle(self, user_name: str, listing: Callable[[], W], listed: Callable[[W], State | None]) -> W:
        """`listing()`, again while what it shows (`listed`: certificate id -> status, Unseen.USER when the user is not
        found, None when unreadable) is an earlier state of the user's recent writes, its creation included, for at
        most CONVERGENCE_WAIT_S after the last one. One listing when it already shows the last write (or something no
        lag explains): a retry costs requests."""
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
                self.stopped_waiting = (
                    f"the listing of {user_name} still showed an earlier state "
                    f"{CONVERGENCE_WAIT_S:g} s after its {recent.last_what}"
                )
                self.waits.append(
                    {
                        "what": f"{self.stopped_waiting}: judged as it was; later listings in this "
                        "process are not waited for",
                        "seconds": round(time.monotonic() - started, 2),
                    }
                )
                return seen
            time.sleep(min(pause, max(0.0, recent.last_at + CONVERGENCE_WAIT_S - time.monotonic())))
            pause = min(2.0, pause * 2)
            seen, tries = listing(), tries + 1
        if tries > 1:
            self.waits.append(
                {
                    "what": f"listing of {user_name} to show its {recent.last_what} ({tries} listings)",
                    "seconds": round(time.monotonic() - started, 2),
                }
            )
        return seen

    def access_key(self, user: SeededUser) -> Identity:
        """A new access key of `user`, allowed (where the target enforces permissions) to read itself."""
        user.may_hold.update(("policies", "access_keys"))
        granted = self._once_visible(
            f"PutUserPolicy for new user {user.name}",
            lambda: self.client.call(
                "PutUserPolicy",
                {"UserName": user.name, "PolicyName": SELF_READ_POLICY_NAME, "PolicyDocument": SELF_READ_POLICY},
            ),
        )
        if granted.status == 200:  # an emulator without PutUserPolicy enforces no permissions either
            user.policies.append(SELF_READ_POLICY_NAME)
        exchange = self._ok(
            "CreateAccessKey",
            self._once_visible(
                f"CreateAccessKey for new user {user.name}",
                lambda: self.client.call("CreateAccessKey", {"UserName": user.name}),
            ),
        )
        key = child(result_element(exchange, "CreateAccessKey"), "AccessKey")
        key_id, secret = text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey"))
        if not key_id or not secret:
            raise SeedingError("CreateAccessKey returned no key", exchange)
        self.learn_secret(secret)  # (by its first MAX_SECRET_CHARS characters, when it is longer)
        if len(secret) > MAX_VALUE_CHARS or len(key_id) > MAX_KEY_ID_CHARS:
            raise SeedingError(
                f"CreateAccessKey for {user.name} (a secret key of {len(secret)} characters and an access key id of "
                f"{len(key_id)}: refused, IAM's are 40 and at most {MAX_KEY_ID_CHARS})",
                exchange,
            )
        user.access_keys.append(key_id)
        return Identity(f"access key of {user.name}", Credentials(key_id, secret))

    def cleanup(self) -> list[str]:
        """Delete everything this run made; returns what could not be deleted (never raises)."""
        if not self.created_anything:  # --read-only, or nothing needed users: nothing to list or delete
            return []
        self.client.lift_deadline()  # the run's deadline bounds the checks, never the cleanup
        cleanup = Cleanup(self.client, self.path)
        # What the run recorded, then whatever a failed call left half-made under its path, as it is listed.
        cleanup.run(self.users, side_by_side=True)
        cleanup.run(Leftover(name) for name in suite_users(cleanup, self.path))
        self.users.clear()
        return cleanup.problems
