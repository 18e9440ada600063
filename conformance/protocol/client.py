"""The query-protocol client: form POST or GET query string, SigV4 from botocore, one time budget per call.

Every call returns an Exchange (never raises for an HTTP status); connection failures raise TargetUnreachable.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import http.cookiejar
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, urlsplit

import requests
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, HeadersDict
from botocore.credentials import Credentials

from conformance.contract.spec import operation
from conformance.protocol.budget import CallBudget, WatchedAdapter
from conformance.protocol.pace import Pace, overlapped
from conformance.protocol.signing import Signing, SigV4At, declare_payload_hash
from conformance.protocol.tap import Step, current_step
from conformance.protocol.unreachable import TargetUnreachable as TargetUnreachable  # (re-exported: callers' name)
from conformance.protocol.unreachable import why_unreachable
from conformance.protocol.wire import MAX_BODY_BYTES, Exchange, SentRequest, read_error
from conformance.safety.bounds import bounded

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30  # per call, wall clock: connect, status line, headers and body together, however paced
# After this many calls in a row without an HTTP answer the target counts as gone: later calls fail at once.
GIVE_UP_AFTER = 3
# Once a call went unanswered, the next ones get this long: a healthy target answers and resets the count.
SUSPECT_TIMEOUT_S = 5
CLEANUP_GRACE_S = 120  # cleanup after the run's deadline: bounded too
# Real IAM throttles with 400 Throttling and sheds load with 503: retry those, bounded, with jitter.
RETRYABLE_CODES = {"Throttling", "ServiceUnavailable", "RequestLimitExceeded"}
MAX_ATTEMPTS = 4


# Codes with which AWS refuses the credentials themselves (not what they may do: that is AccessDenied).
AUTH_REFUSALS = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "MissingAuthenticationToken",
        "IncompleteSignature",
    }
)

# Signer labels (Identity.label) the reports read: whose curl line signs otherwise than with the caller's own keys.
WRONG_SECRET, UNKNOWN_KEY, OWN_KEY = "the caller's key with a wrong secret", "an unknown access key", "access key of "
RESIGNED = "the caller's key, signed "  # signed otherwise than sent (AUTH-05): "... over other parameters", "... ago"


@dataclass(frozen=True)
class Identity:
    """A credential the suite signs with; label is what reports show (never the secret)."""

    label: str
    credentials: Credentials | None  # None: send unsigned

    @classmethod
    def unsigned(cls) -> Identity:
        return cls("unsigned", None)


@dataclass(frozen=True)
class Tapped:
    """One completed call, as a client's tap sees it (a recording of the run: conformance.recording): its final
    exchange (after any retries), as whom and how it was signed, when (wall clock) it was sent, and the step that sent
    it (conformance.protocol.tap)."""

    exchange: Exchange
    identity: Identity
    signing: Signing | None
    sent_at: float
    step: Step


Tap = Callable[[Tapped], None]


# What a call cut short may raise besides requests' own exceptions: a shut-down socket surfaces from any layer.
_CALL_FAILURES = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


_ATTRIBUTION: contextvars.ContextVar[str | None] = contextvars.ContextVar("iam_conformance_attribution", default=None)


def ca_bundle() -> str | None:
    """The CA bundle to verify TLS with, as botocore finds it: AWS_CA_BUNDLE, else requests' REQUESTS_CA_BUNDLE (and
    curl's CURL_CA_BUNDLE); None: the system's."""
    return os.environ.get("AWS_CA_BUNDLE") or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


class IamClient:
    """Calls to one target, safe to make from several threads at once: `pace` bounds how many are in flight."""

    def __init__(
        self, endpoint: str, region: str, identity: Identity, deadline: float | None = None, pace: Pace | None = None
    ) -> None:
        if urlsplit(endpoint).username is not None:  # target.resolve_endpoint refuses these with a reason
            raise ValueError("an endpoint with user-info (user:password@) is refused: it would be shown and sent")
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self.identity = identity
        self.deadline = deadline  # time.monotonic() after which no request is sent
        self.pace = pace or Pace(1)
        self.session = requests.Session()  # pooled connections, reused by every call (one per call in flight)
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, WatchedAdapter(pool_maxsize=max(10, self.pace.ceiling)))
        # The environment's proxy and CA settings, read once: requests would rescan os.environ on every call.
        self.session.proxies = requests.utils.get_environ_proxies(self.endpoint)
        self.session.verify = ca_bundle() or True
        self.session.trust_env = False  # no proxy settings re-read per call
        # A target's cookies are never kept, so never sent back: the suite's requests are what it signed.
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.request_count = 0
        self.retries: list[dict[str, Any]] = []  # every retry, for the report
        self.gone: str | None = None  # why the target counts as gone (it stopped answering)
        self.deadline_passed = False
        self.halted: str | None = None
        self._unanswered_in_a_row = 0
        self._lock = threading.Lock()  # the counters above, from every thread making calls
        self.attributed_counts: dict[str, int] = {}  # requests sent under each label (tests run beside others)
        self.tap: Tap | None = None  # shown every completed call (a recording of the run: conformance.recording)

    @property
    def gave_up(self) -> str | None:
        return self.gone or ("the run's deadline passed (--deadline)" if self.deadline_passed else None)

    def lift_deadline(self) -> None:
        """For cleanup: what the run created is deleted even after the run's deadline, within a grace period."""
        self.deadline = time.monotonic() + CLEANUP_GRACE_S

    @property
    def retry_count(self) -> int:
        return len(self.retries)

    def attributed_snapshot(self) -> dict[str, int]:
        """A copy of `attributed_counts`, taken while no call is counting (calls from other threads add labels)."""
        with self._lock:
            return dict(self.attributed_counts)

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        action: str,
        params: dict[str, str] | None = None,
        *,
        method: str = "POST",
        identity: Identity | None = None,
        signing: Signing | None = None,
    ) -> Exchange:
        spec = operation()
        full = {"Action": action, "Version": spec.api_version, **(params or {})}
        signer = identity or self.identity
        sent_at = time.time()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with self.pace:
                try:
                    exchange = self._send(action, full, method, signer, signing)
                except TargetUnreachable as unreachable:
                    if unreachable.why == "connection reset":  # a connection reset is a server shedding load
                        self.pace.pushed_back()
                    raise
            error = read_error(exchange) if exchange.status >= 400 else None
            retryable = exchange.status == 503 or (error is not None and error.code in RETRYABLE_CODES)
            if retryable:
                self.pace.pushed_back()
            else:
                self.pace.answered()
            if not retryable or attempt == MAX_ATTEMPTS:
                break
            pause = min(4.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0)
            if self.deadline is not None:  # never sleep past the deadline: the next attempt would not be sent
                pause = max(0.0, min(pause, self.deadline - time.monotonic()))
            with self._lock:
                self.retries.append(
                    {
                        "action": action,
                        "attempt": attempt,
                        "status": exchange.status,
                        "code": bounded(error.code) if error and error.code else None,
                        "pause_s": round(pause, 2),
                        "in_flight_allowed": self.pace.allowed,
                    }
                )
            time.sleep(pause)
        if self.tap is not None:
            self.tap(Tapped(exchange, signer, signing, sent_at, current_step(_ATTRIBUTION.get())))
        return exchange

    @contextlib.contextmanager
    def attributed(self, label: str) -> Iterator[None]:
        """Count the requests sent meanwhile from this context under `label` (a test that runs beside others; the
        threads it overlaps its own requests in inherit the context: conformance.protocol.pace.overlapped)."""
        token = _ATTRIBUTION.set(label)
        try:
            yield
        finally:
            _ATTRIBUTION.reset(token)

    def map(self, action: str, many: list[dict[str, str]], **options: Any) -> list[Exchange]:
        """`call(action, params, **options)` for each params, overlapped within the pace; answers in order."""
        return overlapped(self.pace, lambda params: self.call(action, params, **options), many)

    def halt(self, why: str | None) -> None:
        """Send nothing more until halted again with None (the run is being stopped: tests beside the others end)."""
        self.halted = why

    def _check_still_talking(self) -> float:
        """Seconds this call may take in all; raises once the target is given up or the run's deadline passed."""
        if self.gone:
            raise TargetUnreachable(self.gone)
        if self.halted:
            raise TargetUnreachable(self.halted)
        allowed = SUSPECT_TIMEOUT_S if self._unanswered_in_a_row else READ_TIMEOUT_S
        if self.deadline is None:
            return allowed
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.deadline_passed = True
            raise TargetUnreachable(self.gave_up or "the run's deadline passed (--deadline)")
        return min(allowed, remaining)

    @staticmethod
    def _bounded_body(response: requests.Response) -> bytes:
        """At most MAX_BODY_BYTES + 1 bytes; the call's budget bounds how long they take."""
        body = bytearray()
        try:
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
        finally:
            response.close()
        return bytes(body)

    def _request(self, params: dict[str, str], method: str, raw: tuple[str, ...] = ()) -> AWSRequest:
        """The request, its parameters form-encoded (POST) or in the query string (GET); those named in `raw` go
        as they are, already percent-encoded."""
        form: dict[str, str] | str = params
        if raw:
            form = "&".join(f"{quote(k, safe='')}={v if k in raw else quote(v, safe='')}" for k, v in params.items())
        if method == "POST":
            return AWSRequest(
                method="POST",
                url=self.endpoint,
                data=form,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
        if method == "GET":
            if isinstance(form, str):
                return AWSRequest(method="GET", url=f"{self.endpoint}?{form}")
            return AWSRequest(method="GET", url=self.endpoint, params=form)
        raise ValueError(f"the query protocol uses GET or POST, not {method}")

    def _signed(
        self, params: dict[str, str], method: str, identity: Identity, signing: Signing | None
    ) -> AWSPreparedRequest:
        signing = signing or Signing()
        aws = self._request(params, method, signing.percent_encoded)
        if identity.credentials is None:
            return aws.prepare()
        region = signing.region or self.region
        signer = (
            SigV4At(identity.credentials, signing.service, region, signing.at)
            if signing.at is not None
            else SigV4Auth(identity.credentials, signing.service, region)
        )
        if signing.params is None:
            declare_payload_hash(aws, signing)
            signer.add_auth(aws)
            prepared = aws.prepare()
        else:
            signed = self._request({"Action": params["Action"], "Version": params["Version"], **signing.params}, method)
            declare_payload_hash(signed, signing)
            signer.add_auth(signed)
            prepared = aws.prepare()  # the request as sent, with the headers signed for other parameters
            _headers(prepared).update({k: v for k, v in signed.headers.items() if k.lower() != "content-length"})
        if signing.authorization is not None:
            _headers(prepared)["Authorization"] = signing.rewrite(_headers(prepared)["Authorization"])
        for name in signing.drop_headers:
            _headers(prepared).pop(name, None)
        return prepared

    def _outgoing(self, prepared: AWSPreparedRequest) -> requests.PreparedRequest:
        """botocore's prepared request sent as it was signed: requests does not prepare it again (re-quote its URL,
        merge cookies), it only adds its default headers (User-Agent, Accept...) under the signed ones."""
        outgoing = requests.PreparedRequest()
        body = cast("bytes | str | None", prepared.body)  # an encoded form, or none: never a stream
        outgoing.method, outgoing.url, outgoing.body = prepared.method, prepared.url, body
        # (the session's headers are requests' defaults: all text)
        outgoing.headers = requests.structures.CaseInsensitiveDict(cast("Mapping[str, str]", self.session.headers))
        outgoing.headers.update(_headers(prepared))
        outgoing.hooks = requests.hooks.default_hooks()
        # An empty jar of its own (no Cookie header): requests reads it when an answer is a redirect, even one it does
        # not follow (allow_redirects=False), and failed on none at all (AttributeError, a traceback in cleanup).
        outgoing.prepare_cookies(None)
        return outgoing

    def _send(
        self, action: str, params: dict[str, str], method: str, identity: Identity, signing: Signing | None = None
    ) -> Exchange:
        prepared = self._signed(params, method, identity, signing)
        sent = SentRequest(
            action=action,
            params=dict(params),
            method=method,
            url=prepared.url,
            signer=identity.label,
            region=self.region,
        )
        with self._lock:
            allowed_s = self._check_still_talking()
            self.request_count += 1
            label = _ATTRIBUTION.get()
            if label is not None:
                self.attributed_counts[label] = self.attributed_counts.get(label, 0) + 1
        started = time.perf_counter()
        failure = None
        with CallBudget(allowed_s) as budget:
            try:
                response = self.session.send(
                    self._outgoing(prepared),
                    timeout=(min(CONNECT_TIMEOUT_S, allowed_s), allowed_s),
                    allow_redirects=False,
                    stream=True,
                )
                body = self._bounded_body(response)
            except _CALL_FAILURES as exc:
                failure = why_unreachable(exc, min(CONNECT_TIMEOUT_S, allowed_s), round(allowed_s, 1))
        # Looked at after a normal end too: a body without Content-Length ends at the shutdown and looks whole.
        if budget.spent:
            failure = f"timed out after {round(allowed_s, 1):g} s"  # for connect, status line, headers and body
        if failure is not None:
            reason = f"{method} {self.endpoint}: {failure}"
            with self._lock:
                self._unanswered_in_a_row += 1
                if self._unanswered_in_a_row >= GIVE_UP_AFTER:
                    self.gone = f"target stopped answering ({GIVE_UP_AFTER} calls in a row): {reason}"
            raise TargetUnreachable(reason, failure)
        with self._lock:
            self._unanswered_in_a_row = 0
        return Exchange(
            request=sent,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body[:MAX_BODY_BYTES],
            elapsed_ms=(time.perf_counter() - started) * 1000,
            truncated=len(body) > MAX_BODY_BYTES,
        )


def _headers(prepared: AWSPreparedRequest) -> HeadersDict:
    """A prepared request's headers: a HeadersDict (botocore's stubs say HTTPHeaders, which AWSRequest has)."""
    return cast(HeadersDict, prepared.headers)
