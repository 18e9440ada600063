"""The recorded requests sent again, in the recording's order, to another target.

Each placeholder of a request takes the new target's value: the replay's own run id in every name and path the suite
makes; a fresh certificate (conformance.world.certificates) for each recorded certificate body; the ids, access keys
and Markers the new target's own answers gave in the places the recorded answers had them. A request that needs a
value the new target never gave (a Marker of a page it did not truncate) is not sent, and says why; a listing the new
target truncates where the recorded one did not is walked on as the suite's walker would (conformance.world.walking).

Safety: only the actions the suite sends, and no write that names anything but this replay's own users (named and
pathed after its run id), nor a policy other than the suite's self-read one: a recording is data, never instructions.
"""

from __future__ import annotations

import datetime
import secrets
import string
import time
from dataclasses import dataclass, field

from botocore.credentials import Credentials

from conformance.checks.observations import UploadedCertificate
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.signing import Signing
from conformance.protocol.wire import Exchange, child, read_listing, result_element, text
from conformance.recording.format import RecordedAnswer, RecordedExchange, Recording, SignerKind
from conformance.recording.normalise import Normaliser, RawExchange, body_text, hint_places
from conformance.recording.placeholders import Kind, Placeholders, Token, tokens
from conformance.safety.redaction import MASK, Redactor
from conformance.world.certificates import new_certificate_pem
from conformance.world.cleanup import SUITE_PATH
from conformance.world.seeding import SELF_READ_POLICY, SELF_READ_POLICY_NAME
from conformance.world.walking import why_stop

READS = frozenset(
    {
        "ListSigningCertificates",
        "GetUser",
        "ListUsers",
        "ListAccessKeys",
        "ListUserPolicies",
        "IamConformanceNoSuchAction",
    }
)
WRITES = frozenset(
    {
        "CreateUser",
        "DeleteUser",
        "UploadSigningCertificate",
        "UpdateSigningCertificate",
        "DeleteSigningCertificate",
        "CreateAccessKey",
        "DeleteAccessKey",
        "PutUserPolicy",
        "DeleteUserPolicy",
    }
)
CALLER_KEY = "access-key-1"  # the recording binds the caller's own key id first


class NotSent(Exception):
    """A recorded request the replay does not send: the reason, for the report."""


@dataclass
class Replayed:
    """One recorded exchange replayed: the new exchange and its answer normalised, or why it was not sent; the pages
    the replay walked on after it (the new target truncated a listing the recorded one did not)."""

    recorded: RecordedExchange
    exchange: Exchange | None = None
    answer: RecordedAnswer | None = None
    not_sent: str | None = None
    extra: list[Exchange] = field(default_factory=list)


class Replayer:
    def __init__(
        self, recording: Recording, client: IamClient, caller: Credentials, redactor: Redactor, run_id: str
    ) -> None:
        self.recording = recording
        self.client = client
        self.caller = caller
        self.redactor = redactor
        self.run_id = run_id
        self.placeholders = Placeholders(run_id, recording.manifest.placeholders)
        self.placeholders.bind(CALLER_KEY, caller.access_key)
        self.normaliser = Normaliser(self.placeholders)
        self.secrets: dict[str, str] = {}  # access key id -> its secret (keys the target created, keys made up)
        self.uploaded: dict[str, UploadedCertificate] = {}  # certificate placeholder (name) -> the new upload
        self.log: list[Replayed] = []
        self._truncating: dict[str, bool] = {}  # Marker placeholder -> whether the page that issued it was truncated
        self._by_exchange: dict[int, int] = {}  # id(new exchange) -> the recorded seq it answers (extras: their page's)

    # -- the new values ------------------------------------------------------------------------------------------
    def _unbound(self, token: Token) -> str:
        if token.kind == Kind.CERTIFICATE_BODY.value:
            pem = new_certificate_pem(f"ic-{self.run_id}")
            self.placeholders.bind(token.name, pem)
            return pem
        if token.kind == Kind.MARKER.value:
            raise NotSent(f"the Marker ⟦{token.name}⟧ was never given by the new target (its listing ended before)")
        raise NotSent(f"⟦{token.name}⟧ was never given by the new target")

    def restore(self, value: str) -> str:
        return self.placeholders.restore(value, self._unbound)

    def identity(self, recorded: RecordedExchange) -> Identity:
        """Who signs the request again: the replay's caller, unsigned, the caller's key with a wrong secret, a key
        the new target issued (with its secret), or a key id made up for this replay (bound on first use)."""
        signed_by = recorded.request.signed_by
        if signed_by.kind == SignerKind.UNSIGNED:
            return Identity.unsigned()
        if signed_by.kind in (SignerKind.CALLER, SignerKind.WRONG_SECRET):
            wrong = Credentials(self.caller.access_key, self.caller.secret_key[::-1] + "x", self.caller.token)
            return Identity(self._label(signed_by.label), self.caller if signed_by.kind == SignerKind.CALLER else wrong)
        named = tokens(signed_by.key or "")
        key_name = named[0].name if named else ""
        if signed_by.kind == SignerKind.UNKNOWN_KEY and key_name and not self.placeholders.bound(key_name):
            made_up = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
            self.placeholders.bind(key_name, made_up)
            self.secrets[made_up] = secrets.token_urlsafe(30)
            self.redactor.add(self.secrets[made_up])
        key_id = self.placeholders.value(key_name)
        if key_id is None or key_id not in self.secrets:
            raise NotSent(f"signed with the access key {key_name or '(none)'}, which the new target never issued")
        return Identity(self._label(signed_by.label), Credentials(key_id, self.secrets[key_id]))

    def _label(self, recorded: str) -> str:
        return self.placeholders.restore(recorded, lambda token: f"⟦{token.name}⟧")

    def signing(self, recorded: RecordedExchange) -> Signing | None:
        record = recorded.request.signing
        if record is None:
            return None
        at = None
        if record.at_offset_s is not None:
            now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            at = now + datetime.timedelta(seconds=record.at_offset_s)
        params = None if record.params is None else {k: self.restore(v) for k, v in record.params.items()}
        return Signing(
            params,
            at,
            record.rewrite,
            record.service,
            record.drop_headers,
            payload_hash=record.payload_hash,
            percent_encoded=record.percent_encoded,
            region=record.region,
        )

    def params(self, recorded: RecordedExchange) -> dict[str, str]:
        request = recorded.request
        redacted = [name for name, value in request.params.items() if MASK in value]
        if redacted:
            raise NotSent(f"the recorded {redacted[0]} was redacted (it held a secret, or a piece of one): not sent")
        for value in request.params.values():
            for token in tokens(value):
                if token.kind == Kind.MARKER.value and self._truncating.get(token.name) is False:
                    raise NotSent(
                        f"the page that gave the Marker ⟦{token.name}⟧ said IsTruncated false: the walk ended"
                    )
        params = {name: self.restore(value) for name, value in request.params.items()}
        self._safe(request.action, params)
        return params

    def _safe(self, action: str, params: dict[str, str]) -> None:
        if action in READS:
            return
        if action not in WRITES:
            raise NotSent(f"{action[:64]!r} is no action the suite sends: refused")
        ours = f"ic-{self.run_id}-"
        if not params.get("UserName", "").startswith(ours):
            raise NotSent(f"a {action} of a user this replay did not make (not named {ours}...): refused")
        path = params.get("Path")
        if path is not None and not path.startswith(f"{SUITE_PATH}{self.run_id}-"):
            raise NotSent(f"a {action} outside this replay's path {SUITE_PATH}{self.run_id}-*/: refused")
        if action == "PutUserPolicy" and (params.get("PolicyName"), params.get("PolicyDocument")) != (
            SELF_READ_POLICY_NAME,
            SELF_READ_POLICY,
        ):
            raise NotSent("a PutUserPolicy of another policy than the suite's self-read one: refused")

    # -- sending -------------------------------------------------------------------------------------------------
    def run(self) -> None:
        """Replay every recorded exchange (raises TargetUnreachable, KeyboardInterrupt: the log keeps what was done)."""
        for recorded in self.recording.exchanges:
            self.log.append(self.one(recorded))

    def one(self, recorded: RecordedExchange) -> Replayed:
        replayed = Replayed(recorded)
        try:
            params = self.params(recorded)
            identity = self.identity(recorded)
            signing = self.signing(recorded)
        except NotSent as why:
            replayed.not_sent = str(why)
            return replayed
        action, method = recorded.request.action, recorded.request.method
        sent_at = time.time()
        exchange = self.client.call(action, params, method=method, identity=identity, signing=signing)
        answered_at = time.time()
        replayed.exchange = exchange
        self._by_exchange[id(exchange)] = recorded.seq
        self._learn_secret(exchange)
        replayed.answer = self.normalise(exchange, recorded.answer)
        if action == "UploadSigningCertificate":
            self._uploaded(exchange, params.get("CertificateBody", ""), sent_at, answered_at)
        if action == "ListSigningCertificates":
            self._walk_on(replayed, params, method, identity)
        return replayed

    def normalise(self, exchange: Exchange, hints: RecordedAnswer | None) -> RecordedAnswer:
        raw = RawExchange(
            action=exchange.request.action,
            method=exchange.request.method,
            params={},
            signer_kind=SignerKind.CALLER,
            signer_label="",
            signer_key=None,
            signing=None,
            status=exchange.status,
            content_type=exchange.headers.get("content-type"),
            request_id_header=exchange.headers.get("x-amzn-requestid"),
            body=self.redactor.redact(body_text(exchange.body)),
            truncated=exchange.truncated,
        )
        answer = self.normaliser.answer(raw, hints)
        listing = read_listing(exchange)
        if listing is not None and listing.marker:
            marker = self.placeholders.known(Kind.MARKER, listing.marker)
            for token in tokens(marker or ""):
                self._truncating[token.name] = listing.truncated
        return answer

    def _learn_secret(self, exchange: Exchange) -> None:
        if exchange.request.action != "CreateAccessKey" or exchange.status != 200:
            return
        key = child(result_element(exchange, "CreateAccessKey"), "AccessKey")
        key_id, secret = text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey"))
        if key_id and secret:
            self.redactor.add(secret)
            self.secrets[key_id] = secret

    def _uploaded(self, exchange: Exchange, body: str, sent_at: float, answered_at: float) -> None:
        certificate = child(result_element(exchange, "UploadSigningCertificate"), "Certificate")
        certificate_id = text(child(certificate, "CertificateId"))
        if exchange.status != 200 or not certificate_id:
            return
        for token in tokens(self.placeholders.known(Kind.CERTIFICATE, certificate_id) or ""):
            upload_date = text(child(certificate, "UploadDate"))
            self.uploaded[token.name] = UploadedCertificate(
                certificate_id, body, upload_date=upload_date, sent_at=sent_at, answered_at=answered_at
            )

    def _walk_on(self, replayed: Replayed, params: dict[str, str], method: str, identity: Identity) -> None:
        """The new target truncated a listing whose recorded page was its last: walk on, as the suite's walker
        would have, within its bounds."""
        recorded = hint_places(replayed.recorded.answer)
        recorded_truncated = any(path[-1][0] == "IsTruncated" and value == "true" for path, value in recorded.items())
        page = replayed.exchange
        listing = read_listing(page) if page is not None else None
        if recorded_truncated or listing is None or not listing.truncated:
            return
        seen = {params["Marker"]} if "Marker" in params else set()
        pages = 1
        while listing is not None and listing.truncated:
            if why_stop(listing, seen, pages):
                return
            marker = str(listing.marker)
            seen.add(marker)
            page = self.client.call(
                "ListSigningCertificates", {**params, "Marker": marker}, method=method, identity=identity
            )
            self._by_exchange[id(page)] = replayed.recorded.seq
            replayed.extra.append(page)
            pages += 1
            listing = read_listing(page)

    # -- what the judging reads ----------------------------------------------------------------------------------
    def seq_of(self, exchange: Exchange) -> int | None:
        return self._by_exchange.get(id(exchange))
