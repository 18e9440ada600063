"""The query-protocol client: form POST or GET query string, SigV4 from botocore, one time budget per call.

Every call returns an Exchange (never raises for an HTTP status); connection failures raise TargetUnreachable.
"""
from __future__ import annotations

import datetime
import functools
import heapq
import http.client
import itertools
import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conformance.spec import operation
from conformance.wire import MAX_BODY_BYTES, Exchange, SentRequest, read_error

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


class TargetUnreachable(ConnectionError):
    """The endpoint did not answer at the HTTP level (refused, reset, timed out)."""


@dataclass(frozen=True)
class Identity:
    """A credential the suite signs with; label is what reports show (never the secret)."""

    label: str
    credentials: Credentials | None  # None: send unsigned

    @classmethod
    def unsigned(cls) -> "Identity":
        return cls("unsigned", None)


class CallBudget:
    """One call's wall-clock budget, enforced by a watchdog thread that shuts the call's socket down when spent.

    Why a watchdog rather than socket timeouts: a socket timeout bounds each receive, and a target that sends
    one byte per second (status line, headers or body) satisfies every receive. Shutting the TCP socket down (not
    closing it: the calling thread still owns it) makes a blocked receive, plain or TLS, return at once, whatever
    phase the call is in; the calling thread then sees a failed or cut answer.
    """

    _current = threading.local()  # the budget of the call in progress on this thread, for the pools to find

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = 0.0
        self.spent = False
        self.finished = False
        self.sockets: list[socket.socket] = []
        self.duplicates: list[socket.socket] = []  # the budget's own descriptors, closed when the call ends

    @classmethod
    def current(cls) -> CallBudget | None:
        return getattr(cls._current, "budget", None)

    def watch(self, sock: socket.socket | None, *, duplicate: bool = False) -> None:
        """Shut `sock` down when the budget is spent; `duplicate`: through a descriptor of the budget's own, for a
        socket whose object is about to be handed over (TLS wrapping detaches the plain socket object)."""
        if not isinstance(sock, socket.socket):
            return
        if duplicate:
            sock = sock.dup()
            self.duplicates.append(sock)
        self.sockets.append(sock)

    def __enter__(self) -> CallBudget:
        type(self)._current.budget = self
        self.expires = time.monotonic() + self.seconds
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        type(self)._current.budget = None
        _WATCHDOG.finish(self)


class _Watchdog:
    """One thread for every budget of the process (a thread per call would cost a tenth of a loopback call):
    it sleeps until the earliest budget is due and shuts that call's socket down if the call is still on."""

    RETRY_S = 0.05  # a call still resolving or connecting has no socket yet (its connect timeout bounds that)

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._due: list[tuple[float, int, CallBudget]] = []  # a heap by expiry; finished ones drop off at the top
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, budget: CallBudget, at: float | None = None) -> None:
        with self._lock:
            heapq.heappush(self._due, (at or budget.expires, next(self._order), budget))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="iam-call-budgets", daemon=True)
                self._thread.start()
            if self._due[0][2] is budget:  # due before whatever the thread sleeps towards
                self._lock.notify()

    def finish(self, budget: CallBudget) -> None:
        with self._lock:  # after this, `spent` no longer changes and no socket of the call is touched
            budget.finished = True
            budget.sockets = []
            for duplicate in budget.duplicates:
                duplicate.close()  # the connection's own descriptor stays open for the next call

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._due and self._due[0][2].finished:
                    heapq.heappop(self._due)
                if not self._due:
                    self._lock.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                budget = heapq.heappop(self._due)[2]
                budget.spent = True
                # Under the lock, so a descriptor is never closed (and its number reused) in between.
                if not any(map(_shut_down, budget.sockets)):
                    heapq.heappush(self._due, (time.monotonic() + self.RETRY_S, next(self._order), budget))


_WATCHDOG = _Watchdog()


def _shut_down(sock: socket.socket) -> bool:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: SSLSocket.shutdown drops its TLS state
    except OSError:  # closed already
        return False
    return True


class _WatchedConnection:
    """Mixed into urllib3's connections: a new TCP socket is watched by the call's budget from the moment it is
    connected, TLS handshake included. Through a duplicate descriptor: shutdown acts on the socket itself, and
    TLS wrapping detaches the object urllib3 created."""

    def _new_conn(self):
        sock = super()._new_conn()
        budget = CallBudget.current()
        if budget is not None:
            budget.watch(sock, duplicate=True)
        return sock


class _WatchedPool:
    """Mixed into urllib3's pools: a kept-open connection handed to a call is watched by the call's budget.
    (Taken now: http.client lets go of the connection's socket once an answer says Connection: close.)"""

    def _get_conn(self, timeout: float | None = None):
        connection = super()._get_conn(timeout)
        budget = CallBudget.current()
        if budget is not None:
            sock = getattr(connection, "sock", None)
            # TLS inside a TLS tunnel (an HTTPS proxy) wraps the socket in an object that is not one.
            budget.watch(sock if isinstance(sock, socket.socket) else getattr(sock, "socket", None))
        return connection


@functools.cache
def _watched(pool_class: type) -> type:
    connection_class = type(f"Watched{pool_class.ConnectionCls.__name__}",
                            (_WatchedConnection, pool_class.ConnectionCls), {})
    return type(f"Watched{pool_class.__name__}", (_WatchedPool, pool_class), {"ConnectionCls": connection_class})


def _watch_pools_of(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    manager.pool_classes_by_scheme = {scheme: _watched(pool) for scheme, pool in manager.pool_classes_by_scheme.items()}
    return manager


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools_of(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        return _watch_pools_of(super().proxy_manager_for(proxy, **proxy_kwargs))


def _no_http_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: requests then never derives Basic auth from the URL or ~/.netrc. SigV4 only."""
    return request


# What a call cut short may raise besides requests' own exceptions: a shut-down socket surfaces from any layer.
_CALL_FAILURES = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


def ca_bundle() -> str | None:
    """The CA bundle to verify TLS with, as botocore finds it: AWS_CA_BUNDLE, else requests' REQUESTS_CA_BUNDLE (and
    curl's CURL_CA_BUNDLE); None: the system's."""
    return os.environ.get("AWS_CA_BUNDLE") or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


def _tls_reason(error: Exception) -> str:
    text = str(error)
    for known in ("certificate verify failed: self-signed certificate", "certificate verify failed",
                  "hostname mismatch", "wrong version number"):
        if known in text:
            return known
    return type(error).__name__


@dataclass(frozen=True)
class Signing:
    """How the auth checks sign a request otherwise than it is sent: over other parameters than the request
    carries, or as of an earlier moment (UTC). Everything else is botocore's SigV4."""

    params: dict[str, str] | None = None
    at: datetime.datetime | None = None


class _SigV4At(SigV4Auth):
    """botocore's SigV4Auth.add_auth, with the signing moment given instead of read from the clock."""

    def __init__(self, credentials: Credentials, region: str, at: datetime.datetime) -> None:
        super().__init__(credentials, "iam", region)
        self._at = at

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._at.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        signature = self.signature(self.string_to_sign(request, self.canonical_request(request)), request)
        self._inject_signature_to_request(request, signature)


class IamClient:
    def __init__(self, endpoint: str, region: str, identity: Identity, deadline: float | None = None) -> None:
        if urlsplit(endpoint).username is not None:  # target.resolve_endpoint refuses these with a reason
            raise ValueError("an endpoint with user-info (user:password@) is refused: it would be shown and sent")
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self.identity = identity
        self.deadline = deadline  # time.monotonic() after which no request is sent
        self.session = requests.Session()  # one pooled connection per worker, reused by every call
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())
        # The environment's proxy and CA settings, read once: requests would rescan os.environ on every call.
        self.session.proxies = requests.utils.get_environ_proxies(self.endpoint)
        self.session.verify = ca_bundle() or True
        self.session.trust_env = False  # no ~/.netrc, no proxy settings re-read per call
        self.session.auth = _no_http_auth
        self.request_count = 0
        self.retries: list[dict] = []  # every retry, for the report
        self.gone: str | None = None  # why the target counts as gone (it stopped answering)
        self.deadline_passed = False
        self._unanswered_in_a_row = 0

    @property
    def gave_up(self) -> str | None:
        return self.gone or ("the run's deadline passed (--deadline)" if self.deadline_passed else None)

    def lift_deadline(self) -> None:
        """For cleanup: what the run created is deleted even after the run's deadline, within a grace period."""
        self.deadline = time.monotonic() + CLEANUP_GRACE_S

    @property
    def retry_count(self) -> int:
        return len(self.retries)

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
        for attempt in range(1, MAX_ATTEMPTS + 1):
            exchange = self._send(action, full, method, signer, signing)
            error = read_error(exchange) if exchange.status >= 400 else None
            retryable = exchange.status == 503 or (error is not None and error.code in RETRYABLE_CODES)
            if not retryable or attempt == MAX_ATTEMPTS:
                break
            pause = min(4.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0)
            if self.deadline is not None:  # never sleep past the deadline: the next attempt would not be sent
                pause = max(0.0, min(pause, self.deadline - time.monotonic()))
            self.retries.append({"action": action, "attempt": attempt, "status": exchange.status,
                                 "code": error.code if error else None, "pause_s": round(pause, 2)})
            time.sleep(pause)
        return exchange

    def _check_still_talking(self) -> float:
        """Seconds this call may take in all; raises once the target is given up or the run's deadline passed."""
        if self.gone:
            raise TargetUnreachable(self.gone)
        allowed = SUSPECT_TIMEOUT_S if self._unanswered_in_a_row else READ_TIMEOUT_S
        if self.deadline is None:
            return allowed
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.deadline_passed = True
            raise TargetUnreachable(self.gave_up)
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

    def _request(self, params: dict[str, str], method: str) -> AWSRequest:
        if method == "POST":
            return AWSRequest(method="POST", url=self.endpoint, data=params,
                              headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        if method == "GET":
            return AWSRequest(method="GET", url=self.endpoint, params=params)
        raise ValueError(f"the query protocol uses GET or POST, not {method}")

    def _signed(self, params: dict[str, str], method: str, identity: Identity, signing: Signing | None):
        aws = self._request(params, method)
        if identity.credentials is None:
            return aws.prepare()
        signing = signing or Signing()
        signer = (_SigV4At(identity.credentials, self.region, signing.at) if signing.at is not None
                  else SigV4Auth(identity.credentials, "iam", self.region))
        if signing.params is None:
            signer.add_auth(aws)
            return aws.prepare()
        signed = self._request({"Action": params["Action"], "Version": params["Version"], **signing.params}, method)
        signer.add_auth(signed)
        prepared = aws.prepare()  # the request as sent, with the headers signed for other parameters
        prepared.headers.update({k: v for k, v in signed.headers.items() if k.lower() != "content-length"})
        return prepared

    def _send(self, action: str, params: dict[str, str], method: str, identity: Identity,
              signing: Signing | None = None) -> Exchange:
        prepared = self._signed(params, method, identity, signing)
        sent = SentRequest(action=action, params=dict(params), method=method, url=prepared.url,
                           signer=identity.label, region=self.region)
        allowed_s = self._check_still_talking()
        self.request_count += 1
        started = time.perf_counter()
        failure = None
        with CallBudget(allowed_s) as budget:
            try:
                response = self.session.request(
                    prepared.method,
                    prepared.url,
                    headers=dict(prepared.headers),
                    data=prepared.body,
                    timeout=(min(CONNECT_TIMEOUT_S, allowed_s), allowed_s),
                    allow_redirects=False,
                    stream=True,
                )
                body = self._bounded_body(response)
            except requests.exceptions.SSLError as exc:
                failure = (f"TLS: the target's certificate was not accepted ({_tls_reason(exc)}); if it is yours, "
                           "give its CA with AWS_CA_BUNDLE=/path/to/ca.pem")
            except _CALL_FAILURES as exc:
                failure = f"{type(exc).__name__}: {exc}"
        # Looked at after a normal end too: a body without Content-Length ends at the shutdown and looks whole.
        if budget.spent:
            failure = f"no complete answer within {allowed_s:.1f} s (connect, status line, headers and body)"
        if failure is not None:
            self._unanswered_in_a_row += 1
            reason = f"{method} {self.endpoint}: {failure}"
            if self._unanswered_in_a_row >= GIVE_UP_AFTER:
                self.gone = f"target stopped answering ({GIVE_UP_AFTER} calls in a row): {reason}"
            raise TargetUnreachable(reason)
        self._unanswered_in_a_row = 0
        return Exchange(
            request=sent,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body[:MAX_BODY_BYTES],
            elapsed_ms=(time.perf_counter() - started) * 1000,
            truncated=len(body) > MAX_BODY_BYTES,
        )
