"""What the suite creates on the target, under its own run-scoped path, and how all of it goes away again.

Every user lives under /iam-conformance/<run-id>/ with a run-unique name. Cleanup deletes what this run
recorded, then sweeps that run's path for anything a failed call left half-made; it never touches entities
outside the run's own path.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from botocore.credentials import Credentials

from conformance.certificates import new_certificate_pem
from conformance.client import IamClient, Identity
from conformance.wire import Exchange, child, children, read_error, result_element, text

SUITE_PATH = "/iam-conformance/"


class SeedingError(RuntimeError):
    """A call the suite needs for setting up failed; carries the exchange as evidence."""

    def __init__(self, what: str, exchange: Exchange) -> None:
        error = read_error(exchange)
        detail = f"{error.code}: {error.message}" if error else exchange.excerpt(200)
        super().__init__(f"{what} failed with HTTP {exchange.status} ({detail})")
        self.exchange = exchange


@dataclass
class UploadedCertificate:
    certificate_id: str
    body: str
    status: str = "Active"
    upload_date: str | None = None


@dataclass
class SeededUser:
    name: str
    certificates: list[UploadedCertificate] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, UploadedCertificate]:
        return {c.certificate_id: c for c in self.certificates}


class Seeder:
    def __init__(self, client: IamClient, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.path = f"{SUITE_PATH}{run_id}/"
        self.users: list[SeededUser] = []

    def _ok(self, what: str, exchange: Exchange) -> Exchange:
        if exchange.status != 200:
            raise SeedingError(what, exchange)
        return exchange

    def user(self, label: str) -> SeededUser:
        name = f"ic-{self.run_id}-{label}"
        self._ok(f"CreateUser {name}", self.client.call("CreateUser", {"UserName": name, "Path": self.path}))
        user = SeededUser(name)
        self.users.append(user)
        return user

    def upload(self, user: SeededUser) -> UploadedCertificate | Exchange:
        """Upload a fresh certificate; the refused exchange is returned when the target says no (quota)."""
        body = new_certificate_pem(user.name)
        exchange = self.client.call("UploadSigningCertificate", {"UserName": user.name, "CertificateBody": body})
        if exchange.status != 200:
            return exchange
        certificate = child(result_element(exchange, "UploadSigningCertificate"), "Certificate")
        certificate_id = text(child(certificate, "CertificateId"))
        if not certificate_id:
            raise SeedingError(f"UploadSigningCertificate for {user.name} returned no CertificateId", exchange)
        uploaded = UploadedCertificate(certificate_id, body, upload_date=text(child(certificate, "UploadDate")))
        user.certificates.append(uploaded)
        return uploaded

    def fill(self, user: SeededUser, wanted: int) -> SeededUser:
        """Upload up to `wanted` certificates; stop quietly at the target's quota (LimitExceeded)."""
        while len(user.certificates) < wanted:
            outcome = self.upload(user)
            if isinstance(outcome, Exchange):
                error = read_error(outcome)
                if error is not None and error.code == "LimitExceeded" and len(user.certificates) >= 2:
                    break
                raise SeedingError(f"UploadSigningCertificate for {user.name}", outcome)
        return user

    def set_status(self, user: SeededUser, certificate: UploadedCertificate, status: str) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id, "Status": status}
        self._ok("UpdateSigningCertificate", self.client.call("UpdateSigningCertificate", params))
        certificate.status = status

    def delete_certificate(self, user: SeededUser, certificate: UploadedCertificate) -> None:
        params = {"UserName": user.name, "CertificateId": certificate.certificate_id}
        self._ok("DeleteSigningCertificate", self.client.call("DeleteSigningCertificate", params))
        user.certificates.remove(certificate)

    def access_key(self, user: SeededUser) -> Identity:
        exchange = self._ok("CreateAccessKey", self.client.call("CreateAccessKey", {"UserName": user.name}))
        key = child(result_element(exchange, "CreateAccessKey"), "AccessKey")
        key_id, secret = text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey"))
        if not key_id or not secret:
            raise SeedingError("CreateAccessKey returned no key", exchange)
        user.access_keys.append(key_id)
        return Identity(f"access key of {user.name}", Credentials(key_id, secret))

    def cleanup(self) -> list[str]:
        """Delete everything this run made; returns what could not be deleted (never raises)."""
        problems: list[str] = []
        recorded = {u.name: u for u in self.users}
        for name in self._swept_user_names():
            recorded.setdefault(name, SeededUser(name))
        for user in recorded.values():
            problems += self._delete_user(user)
        self.users.clear()
        return problems

    def _swept_user_names(self) -> list[str]:
        exchange = self.client.call("ListUsers", {"PathPrefix": self.path})
        users = child(result_element(exchange, "ListUsers"), "Users")
        # Only users whose path is exactly this run's path: a prefix match alone must not widen the sweep.
        return [
            name
            for member in children(users, "member")
            if (name := text(child(member, "UserName"))) and text(child(member, "Path")) == self.path
        ]

    def _delete_user(self, user: SeededUser) -> list[str]:
        problems, name = [], user.name
        # What the run recorded plus what the target lists: a target that under-lists must not leave leftovers.
        listed = self.client.call("ListSigningCertificates", {"UserName": name})
        members = children(child(result_element(listed, "ListSigningCertificates"), "Certificates"), "member")
        listed_ids = [text(child(m, "CertificateId")) or "" for m in members]
        for cid in dict.fromkeys([c.certificate_id for c in user.certificates] + listed_ids):
            done = self.client.call("DeleteSigningCertificate", {"UserName": name, "CertificateId": cid})
            if done.status not in (200, 404):
                problems.append(f"certificate {cid} of {name}: HTTP {done.status}")
        keys = self.client.call("ListAccessKeys", {"UserName": name})
        listed_keys = [text(child(m, "AccessKeyId")) or ""
                       for m in children(child(result_element(keys, "ListAccessKeys"), "AccessKeyMetadata"), "member")]
        for key_id in dict.fromkeys(user.access_keys + listed_keys):
            done = self.client.call("DeleteAccessKey", {"UserName": name, "AccessKeyId": key_id})
            if done.status not in (200, 404):
                problems.append(f"access key {key_id} of {name}: HTTP {done.status}")
        done = self.client.call("DeleteUser", {"UserName": name})
        if done.status not in (200, 404):
            problems.append(f"user {name}: HTTP {done.status}")
        return problems
