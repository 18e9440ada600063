"""The query-protocol client: form POST or GET query string, SigV4 from botocore, timeouts on every call.

Every call returns an Exchange (never raises for an HTTP status); connection failures raise TargetUnreachable.
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conformance.spec import operation
from conformance.wire import MAX_BODY_BYTES, Exchange, SentRequest, read_error

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30  # per response, wall clock: also bounds a target that drips its body byte by byte
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


class IamClient:
    def __init__(self, endpoint: str, region: str, identity: Identity, deadline: float | None = None) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self.identity = identity
        self.deadline = deadline  # time.monotonic() after which no request is sent
        self.session = requests.Session()  # one pooled connection per worker, reused by every call
        # The environment's proxy and CA settings, read once: requests would rescan os.environ on every call.
        self.session.proxies = requests.utils.get_environ_proxies(self.endpoint)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.session.trust_env = False
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
    ) -> Exchange:
        spec = operation()
        full = {"Action": action, "Version": spec.api_version, **(params or {})}
        signer = identity or self.identity
        for attempt in range(1, MAX_ATTEMPTS + 1):
            exchange = self._send(action, full, method, signer)
            error = read_error(exchange) if exchange.status >= 400 else None
            retryable = exchange.status == 503 or (error is not None and error.code in RETRYABLE_CODES)
            if not retryable or attempt == MAX_ATTEMPTS:
                break
            pause = min(4.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0)
            self.retries.append({"action": action, "attempt": attempt, "status": exchange.status,
                                 "code": error.code if error else None, "pause_s": round(pause, 2)})
            time.sleep(pause)
        return exchange

    def _check_still_talking(self) -> float:
        """Seconds this response may take; raises once the target is given up or the run's deadline passed."""
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

    def _bounded_body(self, response: requests.Response, wall_deadline: float) -> bytes:
        """At most MAX_BODY_BYTES + 1 bytes, read before `wall_deadline` (perf_counter)."""
        body = bytearray()
        try:
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
                if time.perf_counter() > wall_deadline:
                    raise TimeoutError(f"the response took longer than {READ_TIMEOUT_S} s to arrive")
        finally:
            response.close()
        return bytes(body)

    def _send(self, action: str, params: dict[str, str], method: str, identity: Identity) -> Exchange:
        if method == "POST":
            aws = AWSRequest(
                method="POST",
                url=self.endpoint,
                data=params,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
        elif method == "GET":
            aws = AWSRequest(method="GET", url=self.endpoint, params=params)
        else:
            raise ValueError(f"the query protocol uses GET or POST, not {method}")
        if identity.credentials is not None:
            SigV4Auth(identity.credentials, "iam", self.region).add_auth(aws)
        prepared = aws.prepare()
        sent = SentRequest(action=action, params=dict(params), method=method, url=prepared.url,
                           signer=identity.label, region=self.region)
        allowed_s = self._check_still_talking()
        self.request_count += 1
        started = time.perf_counter()
        try:
            response = self.session.request(
                prepared.method,
                prepared.url,
                headers=dict(prepared.headers),
                data=prepared.body,
                timeout=(CONNECT_TIMEOUT_S, allowed_s),
                allow_redirects=False,
                stream=True,
            )
            body = self._bounded_body(response, started + allowed_s)
        except (requests.RequestException, TimeoutError) as exc:
            self._unanswered_in_a_row += 1
            reason = f"{method} {self.endpoint}: {type(exc).__name__}: {exc}"
            if self._unanswered_in_a_row >= GIVE_UP_AFTER:
                self.gone = f"target stopped answering ({GIVE_UP_AFTER} calls in a row): {reason}"
            raise TargetUnreachable(reason) from None
        self._unanswered_in_a_row = 0
        return Exchange(
            request=sent,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body[:MAX_BODY_BYTES],
            elapsed_ms=(time.perf_counter() - started) * 1000,
            truncated=len(body) > MAX_BODY_BYTES,
        )
