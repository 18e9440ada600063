"""In-memory IAM state of the reference server: users, signing certificates, access keys.

Every read and write goes through one re-entrant lock, so a check and the write it guards (quota, duplicate,
delete conflict) are atomic even when the threaded server handles requests concurrently.

Real IAM's manners, as options: temporary credentials of a role (`issue_session`: an ASIA key id, a secret and a
session token), identity-based policies enforced for users and roles (`enforce_policies`), and eventual
consistency (`consistency_lag_s`: a listing shows a user's certificates as they were that long ago, and a user or an
access key just created is not found, nor does it authenticate, for that long).
"""

from __future__ import annotations

import itertools
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from conformance.contract.spec import operation

from . import policy
from .principals import ACCOUNT_ID, Principal, RoleSession, TemporaryCredentials, User, user_arn

ROOT_ACCESS_KEY = "AKIAREFERENCEROOT001"
# No long run of one character: redaction masks any 16 characters of a secret, and a value the suite draws (129
# zeros for a name past the maximum length) would be masked wherever it is shown or recorded.
ROOT_SECRET_KEY = "ReferenceRootSecretKey/k7Qz9rW2mX4vB8nL1pT6"

# IAM's account quotas for the entities the reference holds (recorded: the third certificate is refused).
CERTIFICATES_PER_USER = operation().certificates_per_user
ACCESS_KEYS_PER_USER = 2

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


class IamError(Exception):
    """An IAM error response: HTTP status, error code and message. Type follows from the status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def type(self) -> str:
        return "Receiver" if self.status >= 500 else "Sender"


def now() -> datetime:
    return datetime.now(UTC)


def random_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(length - len(prefix)))


@dataclass
class Certificate:
    certificate_id: str
    owner_id: str
    user_name: str
    body: str
    der: bytes  # the parsed certificate, so re-uploads with other whitespace still count as duplicates
    status: str
    uploaded: datetime
    seq: int  # upload sequence number: the stable sort key that markers point into


@dataclass
class AccessKey:
    access_key_id: str
    secret: str
    owner_id: str
    user_name: str
    status: str
    created: datetime


@dataclass(frozen=True)
class Write:
    """One change to a user's certificates, kept while a listing may still not show it (eventual consistency).
    `certificate` is a copy as it was before the change (the new certificate, for an upload)."""

    at: float  # Store.clock()
    kind: str  # upload | status | delete
    certificate: Certificate


# The account root: owns the root credentials; its name is the account id, used where a UserName must be shown.
ROOT = User(name=ACCOUNT_ID, path="/", user_id=ACCOUNT_ID, created=datetime(2010, 5, 8, tzinfo=UTC), root=True)


def no_such_user(name: str) -> IamError:
    return IamError(404, "NoSuchEntity", f"The user with name {name} cannot be found.")


@dataclass
class Store:
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[str, User] = field(default_factory=dict)  # keyed by lower-cased name: IAM names ignore case
    certificates: dict[str, Certificate] = field(default_factory=dict)
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    policies: dict[str, dict[str, str]] = field(default_factory=dict)  # user id -> inline policy name -> document
    marker_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # authenticates issued markers
    sessions: dict[str, TemporaryCredentials] = field(default_factory=dict)
    # Options: real IAM's manners (see the module's docstring)
    enforce_policies: bool = False
    consistency_lag_s: float = 0.0
    visibility_lag_s: float | None = None  # how long a new user or key stays unseen (None: consistency_lag_s)
    clock: Callable[[], float] = field(default_factory=lambda: time.monotonic)  # seconds; tests may turn it by hand
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _unseen: dict[str, list[Write]] = field(default_factory=dict)  # owner id -> writes a listing may not show yet
    _born: dict[str, float] = field(default_factory=dict)  # user id or access key id -> when it was created (clock)

    def _settled(self, entity_id: str) -> bool:
        """Whether a user or access key created with a lag is seen yet (IAM: "a user or access key just created may
        be invisible for seconds")."""
        lag = self.consistency_lag_s if self.visibility_lag_s is None else self.visibility_lag_s
        return self.clock() - self._born.get(entity_id, float("-inf")) >= lag

    # -- users ---------------------------------------------------------------------------------------------
    def create_user(self, name: str, path: str = "/") -> User:
        with self.lock:
            if name.lower() in self.users:
                raise IamError(409, "EntityAlreadyExists", f"User with name {name} already exists.")
            user = User(name=name, path=path, user_id=random_id("AIDA", 21), created=now())
            self.users[name.lower()] = user
            if self.consistency_lag_s:
                self._born[user.user_id] = self.clock()
            return user

    def get_user(self, name: str) -> User:
        with self.lock:
            user = self.users.get(name.lower())
            if user is None or not self._settled(user.user_id):
                raise no_such_user(name)
            return user

    def delete_user(self, name: str) -> None:
        with self.lock:
            user = self.get_user(name)
            if self.certificates_of(user):
                raise IamError(409, "DeleteConflict", "Cannot delete entity, must delete signing certificates first.")
            if self.access_keys_of(user):
                raise IamError(409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
            if self.policies.get(user.user_id):
                raise IamError(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
            del self.users[name.lower()]

    # -- inline user policies (the suite lets a user it created read its own certificates) ----------------
    def put_user_policy(self, owner: User, name: str, document: str) -> None:
        with self.lock:
            self.policies.setdefault(owner.user_id, {})[name] = document

    def delete_user_policy(self, owner: User, name: str) -> None:
        with self.lock:
            if name not in self.policies.get(owner.user_id, {}):
                raise IamError(404, "NoSuchEntity", f"The user policy with name {name} cannot be found.")
            del self.policies[owner.user_id][name]

    def policy_names_of(self, owner: User) -> list[str]:
        with self.lock:
            return sorted(self.policies.get(owner.user_id, {}))

    def list_users(self, path_prefix: str = "/") -> list[User]:
        with self.lock:
            return [u for u in self.users.values() if u.path.startswith(path_prefix)]

    # -- signing certificates ------------------------------------------------------------------------------
    def certificates_of(self, owner: User) -> list[Certificate]:
        """The owner's certificates in upload order (a snapshot)."""
        with self.lock:
            return sorted((c for c in self.certificates.values() if c.owner_id == owner.user_id), key=lambda c: c.seq)

    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        with self.lock:
            held = self.certificates_of(owner)
            if any(c.der == der for c in held):
                raise IamError(
                    409,
                    "DuplicateCertificate",
                    "The request was rejected because the same certificate is associated with an IAM user in the "
                    "account.",
                )
            if len(held) >= CERTIFICATES_PER_USER:
                raise IamError(
                    409, "LimitExceeded", f"Cannot exceed quota for CertificatesPerUser: {CERTIFICATES_PER_USER}"
                )
            certificate = Certificate(
                certificate_id=random_id("", 32),
                owner_id=owner.user_id,
                user_name=owner.name,
                body=body,
                der=der,
                status="Active",
                uploaded=now(),
                seq=next(self._seq),
            )
            self.certificates[certificate.certificate_id] = certificate
            self._wrote(owner, "upload", certificate)
            return certificate

    def get_certificate(self, owner: User, certificate_id: str) -> Certificate:
        with self.lock:
            certificate = self.certificates.get(certificate_id)
            if certificate is None or certificate.owner_id != owner.user_id:
                raise IamError(404, "NoSuchEntity", f"The Certificate with id {certificate_id} cannot be found.")
            return certificate

    def update_certificate(self, owner: User, certificate_id: str, status: str) -> None:
        with self.lock:
            certificate = self.get_certificate(owner, certificate_id)
            self._wrote(owner, "status", certificate)
            certificate.status = status

    def delete_certificate(self, owner: User, certificate_id: str) -> None:
        with self.lock:
            self._wrote(owner, "delete", self.get_certificate(owner, certificate_id))
            del self.certificates[certificate_id]

    # -- eventual consistency ------------------------------------------------------------------------------
    def seen(self, write: Write, now: float) -> bool:
        """Whether listings show `write` by `now` (a fault may never show some kind of write)."""
        return now - write.at >= self.consistency_lag_s

    def _wrote(self, owner: User, kind: str, certificate: Certificate) -> None:
        write = Write(self.clock(), kind, replace(certificate))
        if not self.seen(write, write.at):  # without a lag every write is seen at once: nothing to keep
            self._unseen.setdefault(owner.user_id, []).append(write)

    def listed_certificates(self, owner: User) -> list[Certificate]:
        """What a listing shows: the owner's certificates (upload order) with every write not seen yet undone."""
        with self.lock:
            now = self.clock()
            unseen = [w for w in self._unseen.get(owner.user_id, []) if not self.seen(w, now)]
            self._unseen[owner.user_id] = unseen
            if not unseen:
                return self.certificates_of(owner)
            shown = {c.certificate_id: replace(c) for c in self.certificates_of(owner)}
            for write in reversed(unseen):
                if write.kind == "upload":
                    shown.pop(write.certificate.certificate_id, None)
                elif write.kind == "delete":
                    shown[write.certificate.certificate_id] = replace(write.certificate)
                elif write.certificate.certificate_id in shown:
                    shown[write.certificate.certificate_id].status = write.certificate.status
            return sorted(shown.values(), key=lambda c: c.seq)

    # -- access keys ---------------------------------------------------------------------------------------
    def access_keys_of(self, owner: User) -> list[AccessKey]:
        with self.lock:
            return [k for k in self.access_keys.values() if k.owner_id == owner.user_id]

    def create_access_key(self, owner: User) -> AccessKey:
        with self.lock:
            if len(self.access_keys_of(owner)) >= ACCESS_KEYS_PER_USER:
                raise IamError(
                    409, "LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
                )
            key = AccessKey(
                access_key_id=random_id("AKIA", 20),
                secret="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
                owner_id=owner.user_id,
                user_name=owner.name,
                status="Active",
                created=now(),
            )
            self.access_keys[key.access_key_id] = key
            if self.consistency_lag_s:
                self._born[key.access_key_id] = self.clock()
            return key

    def delete_access_key(self, owner: User, access_key_id: str) -> None:
        with self.lock:
            key = self.access_keys.get(access_key_id)
            if key is None or key.owner_id != owner.user_id:
                raise IamError(404, "NoSuchEntity", f"The Access Key with id {access_key_id} cannot be found.")
            del self.access_keys[access_key_id]

    # -- temporary credentials (a role's session, a user's own session) ---------------------------------
    def issue_user_session(self, user_name: str | None = None, mfa: bool = True) -> TemporaryCredentials:
        """GetSessionToken credentials of a user (of the root when `user_name` is None): an ASIA key with a token
        that acts as that user. IAM serves them only when the session was authenticated with MFA; without it, every
        IAM call is InvalidClientTokenId (recorded: awsvault15-..., awsvault328-iam-session-token-mfa-vs-none.txt)."""
        owner = ROOT if user_name is None else self.get_user(user_name)
        with self.lock:
            issued = TemporaryCredentials(
                random_id("ASIA", 20),
                "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
                secrets.token_urlsafe(96),
                owner,
                mfa,
            )
            self.sessions[issued.access_key_id] = issued
            return issued

    def issue_session(
        self, role_name: str = "iam-conformance-ci", session_name: str = "ci", role_policy: str | None = None
    ) -> TemporaryCredentials:
        """Temporary credentials of an assumed role, as STS hands them out (AssumeRole, SSO, instance roles)."""
        with self.lock:
            session = RoleSession(role_name, session_name, random_id("AROA", 21), role_policy)
            issued = TemporaryCredentials(
                random_id("ASIA", 20),
                "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
                secrets.token_urlsafe(96),
                session,
            )
            self.sessions[issued.access_key_id] = issued
            return issued

    def session_token_of(self, access_key_id: str) -> str | None:
        """The token a request signed with this key must carry, or None for a long-term key."""
        with self.lock:
            issued = self.sessions.get(access_key_id)
            return issued.token if issued else None

    # -- authorization -------------------------------------------------------------------------------------
    def resource_arn(self, name: str, path: str | None = None) -> str:
        """The ARN of user `name` (with its path when it exists, or `path` for one being created)."""
        with self.lock:
            user = self.users.get(name.lower())
            return user.arn if user is not None else user_arn(path or "/", name)

    def allows(self, principal: Principal, action: str, resource: str) -> bool:
        """Whether the principal's identity-based policies allow `action` on `resource` (always, unless enforced;
        the root always)."""
        if not self.enforce_policies or principal.root:
            return True
        with self.lock:
            if isinstance(principal, RoleSession):
                return policy.allows(filter(None, [principal.policy]), action, resource)
            documents = list(self.policies.get(principal.user_id, {}).values())
        return policy.allows(documents, action, resource, {"aws:username": principal.name})

    # -- authentication ------------------------------------------------------------------------------------
    def principal_for(self, access_key_id: str) -> tuple[Principal, str] | None:
        """(principal, secret) for an access key id, or None when the key is unknown or inactive."""
        if access_key_id == ROOT_ACCESS_KEY:
            return ROOT, ROOT_SECRET_KEY
        with self.lock:
            issued = self.sessions.get(access_key_id)
            if issued is not None:
                return (issued.principal, issued.secret) if issued.mfa else None
            key = self.access_keys.get(access_key_id)
            if key is None or key.status != "Active" or not self._settled(access_key_id):
                return None
            if key.owner_id == ROOT.user_id:
                return ROOT, key.secret
            owner = next((u for u in self.users.values() if u.user_id == key.owner_id), None)
            return None if owner is None else (owner, key.secret)
