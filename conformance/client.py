"""The query-protocol client: form POST or GET query string, SigV4 from botocore, timeouts on every call.

Every call returns an Exchange (never raises for an HTTP status); connection failures raise TargetUnreachable.
"""
from __future__ import annotations

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
READ_TIMEOUT_S = 30
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
    def __init__(self, endpoint: str, region: str, identity: Identity) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self.identity = identity
        self.session = requests.Session()  # one pooled connection per worker, reused by every call
        self.request_count = 0
        self.retry_count = 0

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
            self.retry_count += 1
            time.sleep(min(4.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0))
        return exchange

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
        self.request_count += 1
        started = time.perf_counter()
        try:
            response = self.session.request(
                prepared.method,
                prepared.url,
                headers=dict(prepared.headers),
                data=prepared.body,
                timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                allow_redirects=False,
                stream=True,
            )
            body = response.raw.read(MAX_BODY_BYTES + 1, decode_content=True)
            response.close()
        except requests.RequestException as exc:
            raise TargetUnreachable(f"{method} {self.endpoint}: {type(exc).__name__}: {exc}") from None
        return Exchange(
            request=sent,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body[:MAX_BODY_BYTES],
            elapsed_ms=(time.perf_counter() - started) * 1000,
            truncated=len(body) > MAX_BODY_BYTES,
        )
