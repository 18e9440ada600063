"""One process's share of a recording: every call its clients complete (the client's tap), and the judgments its
tests make, encoded as plain data that travels to the run's owner on the test reports (conformance.run.process), the
same way in one process and over xdist's channel. Nothing here is normalised yet: the owner does that once, in the
recording's order (conformance.recording.assemble); the payload is redacted by the process before it travels.
"""

from __future__ import annotations

import threading
from collections.abc import KeysView, ValuesView
from dataclasses import asdict
from typing import Any

from conformance.checks import Judgment
from conformance.checks.observations import UploadedCertificate, Walk
from conformance.contract.spec import Parameter
from conformance.protocol.caller import Caller
from conformance.protocol.client import UNKNOWN_KEY, Tapped
from conformance.protocol.wire import Exchange
from conformance.recording.format import SignerKind
from conformance.recording.normalise import body_text

REQUEST_ID_HEADER = "x-amzn-requestid"


class Unencodable(Exception):
    """A judgment's argument of a kind a recording cannot hold."""


class Capture:
    """The tap of this process's clients (`client.tap = capture`), and the encoder of its judgments."""

    def __init__(self, process: str, caller_key: str, caller_secret: str) -> None:
        self.process = process
        self._caller = (caller_key, caller_secret)
        self._lock = threading.Lock()
        self._seq = 0
        self._pending: list[dict[str, Any]] = []
        # id(exchange) -> (the exchange, kept alive so that its id stays its own, and its seq)
        self._refs: dict[int, tuple[Exchange, int]] = {}

    def __call__(self, tapped: Tapped) -> None:
        exchange = tapped.exchange
        wire = self._wire(tapped)
        with self._lock:
            self._seq += 1
            wire["seq"] = self._seq
            self._refs[id(exchange)] = (exchange, self._seq)
            self._pending.append(wire)

    def _wire(self, tapped: Tapped) -> dict[str, Any]:
        exchange, identity, signing = tapped.exchange, tapped.identity, tapped.signing
        credentials = identity.credentials
        key: str | None = None
        if credentials is None:
            kind = SignerKind.UNSIGNED
        elif credentials.access_key == self._caller[0]:
            kind = SignerKind.CALLER if credentials.secret_key == self._caller[1] else SignerKind.WRONG_SECRET
        else:
            kind = SignerKind.UNKNOWN_KEY if identity.label.startswith(UNKNOWN_KEY) else SignerKind.CREATED_KEY
            key = credentials.access_key
        signed = None
        if signing is not None:
            signed = {
                "params": signing.params,
                "at_offset_s": None if signing.at is None else round(signing.at.timestamp() - _naive_now(tapped)),
                "rewrite": signing.authorization,
                "service": signing.service,
                "drop_headers": list(signing.drop_headers),
                "payload_hash": signing.payload_hash,
                "percent_encoded": list(signing.percent_encoded),
                "region": signing.region,
            }
        request = exchange.request
        headers = exchange.headers
        return {
            "process": self.process,
            "test": tapped.step.test,
            "phase": tapped.step.phase,
            "action": request.action,
            "method": request.method,
            "params": {k: v for k, v in request.params.items() if k not in ("Action", "Version")},
            "signer": {"kind": kind.value, "label": identity.label, "key": key},
            "signing": signed,
            "status": exchange.status,
            "content_type": headers.get("content-type"),
            "request_id_header": headers.get(REQUEST_ID_HEADER),
            "body": body_text(exchange.body),
            "truncated": exchange.truncated,
        }

    def drain(self) -> list[dict[str, Any]]:
        """The exchanges completed since the last drain."""
        with self._lock:
            taken, self._pending = self._pending, []
        return taken

    def ref(self, exchange: Exchange) -> list[Any]:
        found = self._refs.get(id(exchange))
        if found is None or found[0] is not exchange:
            raise Unencodable("an exchange no tapped client made")
        return [self.process, found[1]]

    def judgments(self, judgments: list[Judgment], test: str, requirement: str | None) -> list[dict[str, Any]]:
        """`judgments` as plain data, exchanges named by (process, seq)."""
        encoded = []
        for judgment in judgments:
            wire: dict[str, Any] = {
                "test": test,
                "requirement": requirement,
                "check": judgment.check,
                "verdict": judgment.verdict,
            }
            try:
                wire["args"] = [self.encode(a) for a in judgment.args]
                wire["kwargs"] = {k: self.encode(v) for k, v in judgment.kwargs.items()}
            except Unencodable as why:
                wire.update(args=[], kwargs={}, unencodable=str(why))
            encoded.append(wire)
        return encoded

    def encode(self, value: Any) -> Any:
        """A judgment's argument as JSON: scalars as they are; anything else an object of one tag."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, Exchange):
            return {"exchange": self.ref(value)}
        if isinstance(value, Walk):
            return {
                "walk": {
                    "user_name": value.user_name,
                    "max_items": value.max_items,
                    "pages": [self.ref(page) for page in value.pages],
                    "stopped_early": value.stopped_early,
                }
            }
        if isinstance(value, UploadedCertificate):
            return {"uploaded": {k: v for k, v in asdict(value).items() if k not in ("sent_at", "answered_at")}}
        if isinstance(value, Caller):
            return {"caller": {"kind": value.kind.value, "arn": value.arn, "basis": value.basis}}
        if isinstance(value, Parameter):
            return {"parameter": value.name}
        if isinstance(value, dict):
            return {"map": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, (set, frozenset)):
            return {"set": [self.encode(v) for v in value]}
        if isinstance(value, (list, tuple, ValuesView, KeysView)):
            return {"list": [self.encode(v) for v in value]}
        raise Unencodable(f"a {type(value).__name__}")


def _naive_now(tapped: Tapped) -> float:
    """When the request was sent, as a naive UTC datetime's timestamp() reads it (Signing.at is naive UTC)."""
    import datetime

    return datetime.datetime.fromtimestamp(tapped.sent_at, datetime.UTC).replace(tzinfo=None).timestamp()
