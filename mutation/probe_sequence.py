"""The probe's request sequence: every action the reference serves, every ListSigningCertificates parameter valid
and invalid, boundaries, GET and POST, paging with MaxItems 1-3 and MaxItems changed between pages, markers of
other users and tampered ones, unsigned / wrong secret / unknown key / root / a user's key / a deleted key,
signatures out of date or scope, Inactive and deleted certificates, deletions in the middle of a walk.

The sequence is fixed: it branches on nothing but values it read from earlier answers (ids, markers, keys), so
two correct targets see the same requests. Certificates are Ed25519 with fixed keys, serials and dates, hence
byte-identical in every run.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

import requests
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from lxml import etree

from mutation.normalise import Normaliser, Step
from mutation.transport import ENDPOINT, session_for

VERSION = "2010-05-08"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
LIST = "ListSigningCertificates"
ALICE, BOB, CAROL = "probe-alice", "probe-bob", "probe-carol"
MAX_ITEMS_VALUES = (
    "1",
    "2",
    "3",
    "100",
    "1000",
    "0",
    "1001",
    "-1",
    "abc",
    "",
    "1.0",
    "+1",
    "01",
    " 1",
    "2147483648",
    "99999999999999999999",
    "\uff11",
    "1_0",
)
USER_NAME_VALUES = (
    "",
    "a" * 128,
    "a" * 129,
    "a/b",
    "a b",
    "\u00e9",
    "a+b=c,d.e@f-g_h",
    "PROBE-ALICE",
    "probe-alice\u00ff",
)
MARKER_VALUES = ("", "x" * 320, "x" * 321, "bad\x1fchar", "\u0100", "\u00ff", "invalid-marker-value", "AAAA", "A" * 40)


@functools.cache
def certificate(number: int) -> str:
    """A deterministic self-signed certificate (Ed25519 signatures are deterministic)."""
    key = Ed25519PrivateKey.from_private_bytes(bytes([number + 1]) * 32)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"iam-mutation-probe-{number}")])
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1000 + number)
        .not_valid_before(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC))
        .sign(key, None)
    )
    return built.public_bytes(serialization.Encoding.PEM).decode("ascii")


class _ClockSigner(SigV4Auth):
    """botocore's SigV4, at a timestamp of our choosing (to send expired and future signatures)."""

    def __init__(self, credentials: Credentials, service: str, region: str, timestamp: str) -> None:
        super().__init__(credentials, service, region)
        self.timestamp = timestamp

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self.timestamp
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical), request))


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            self.root = etree.fromstring(body, parser) if body.strip().startswith(b"<") else None
        except etree.XMLSyntaxError:
            self.root = None

    def all(self, name: str) -> list[str]:
        if self.root is None:
            return []
        return [e.text or "" for e in self.root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]

    def first(self, name: str) -> str | None:
        found = self.all(name)
        return found[0] if found else None


class Prober:
    """Sends requests to an app through the in-process transport and records each normalised answer."""

    def __init__(
        self, app: Callable | None, check: Callable[[list[Step]], None] = lambda steps: None, url: str | None = None
    ) -> None:
        """`app` is called in-process; or, with app None, `url` is a server to talk to over the network."""
        from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY

        self.session = session_for(app) if app is not None else requests.Session()
        self.endpoint = ENDPOINT if app is not None else url
        self.now = datetime.datetime.now(datetime.UTC)
        self.normaliser = Normaliser(self.now)
        self.check = check
        self.steps: list[Step] = []
        for number in range(5):
            self.normaliser.alias(certificate(number), f"<probe certificate {number}>")
        self.keys: dict[str, Credentials] = {
            "root": Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY),
            "wrong-secret": Credentials(ROOT_ACCESS_KEY, "WrongSecretKey/000000000000000000000000000"),
            "unknown-key": Credentials("AKIAPROBEUNKNOWN0001", "UnknownSecretKey/0000000000000000000000000"),
        }
        self.normaliser.fixed.update({ROOT_ACCESS_KEY, "AKIAPROBEUNKNOWN0001", "AKIAPROBEUNKNOWN0002"})

    def close(self) -> None:
        self.session.close()

    def timestamp(self, minutes: float = 0) -> str:
        return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes)).strftime(SIGV4_TIMESTAMP)

    def send(
        self,
        label: str,
        action: str | None,
        params: dict[str, str] | None = None,
        *,
        method: str = "POST",
        signer: str | None = "root",
        version: str | None = VERSION,
        minutes: float = 0,
        service: str = "iam",
        region: str = "us-east-1",
        query: str = "",
        content_type: str = FORM,
        tamper: Callable[[dict[str, str]], None] | None = None,
        declared_over: dict[str, str] | None = None,
    ) -> Answer:
        """One request. `query`: raw text added to the URL (also on POST); `tamper` edits the signed headers;
        `declared_over`: a POST signed with X-Amz-Content-SHA256 declaring the hash of the body these parameters
        make (the request's own parameters: {}), sent with its own body."""
        full = {k: v for k, v in {"Action": action, "Version": version, **(params or {})}.items() if v is not None}
        url = self.endpoint + (f"?{query}" if query else "")
        if method == "GET":
            encoded = urlencode(full)
            url = self.endpoint + "?" + "&".join(part for part in (query, encoded) if part)
            request = AWSRequest(method="GET", url=url)
        else:
            request = AWSRequest(
                method="POST", url=url, data=urlencode(full).encode("utf-8"), headers={"Content-Type": content_type}
            )
        sent_body = request.data
        if declared_over is not None:  # signed over that body, its hash declared; sent with this one
            request.data = urlencode({**full, **declared_over}).encode("utf-8")
            request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(request.data).hexdigest()
        if signer is not None:
            _ClockSigner(self.keys[signer], service, region, self.timestamp(minutes)).add_auth(request)
        request.data = sent_body
        prepared = request.prepare()
        headers = dict(prepared.headers)
        if tamper is not None:
            tamper(headers)
        response = self.session.request(
            prepared.method, prepared.url, headers=headers, data=prepared.body, allow_redirects=False, timeout=30
        )
        answer = Answer(response.status_code, response.content)
        self._record(label, method, full, query, signer, response, answer)
        return answer

    def _record(
        self, label: str, method: str, params: dict[str, str], query: str, signer: str | None, response, answer: Answer
    ) -> None:
        norm = self.normaliser
        norm.next_answer()
        norm.register("RequestId", response.headers.get("x-amzn-RequestId"))
        body = response.content.decode("utf-8", errors="replace")
        norm.scan(body)
        for kind in ("SecretAccessKey", "Marker"):  # no shape of their own: found by their element
            for value in answer.all(kind):
                norm.register(kind, value)
        shown = ", ".join(f"{k}={_short(norm.text(v))}" for k, v in params.items())
        request = f"{method} {shown}" + (f" + query {query}" if query else "") + f" as {signer}"
        self.steps.append(
            Step(
                label,
                request,
                str(response.status_code),
                response.headers.get("Content-Type", "<none>"),
                norm.text(response.headers.get("x-amzn-RequestId", "<none>")),
                norm.text(body),
            )
        )
        self.check(self.steps)


def _short(value: str) -> str:
    return value if len(value) <= 48 else f"{value[:40]}…({len(value)} chars)"
