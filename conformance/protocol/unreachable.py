"""How a call went unanswered, in words a user reads: `connection refused`, `name not resolved`, `timed out after 5 s`,
`TLS: ...`, read from the exception chain requests and urllib3 raise (never their text: it names their pools and
retries, which say nothing to the user).
"""

from __future__ import annotations

import http.client
import socket
import ssl

import requests
import urllib3

from conformance.errors import ConformanceError


class TargetUnreachable(ConformanceError, ConnectionError):
    """The endpoint did not answer at the HTTP level (refused, reset, timed out). `why` says how in a few words
    (`connection refused`, `name not resolved`, `TLS: ...`, `timed out after 5 s`), never a library's internals."""

    def __init__(self, message: str, why: str | None = None) -> None:
        super().__init__(message)
        self.why = why or message


def _causes(error: BaseException) -> list[BaseException]:
    """`error` and what it wraps: its cause and context, urllib3's MaxRetryError.reason, exceptions among its args."""
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending and len(found) < 20:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or any(current is seen for seen in found):
            continue
        found.append(current)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return found


def why_unreachable(error: BaseException, connect_s: float, read_s: float) -> str:
    """How a call went unanswered, in a few words, from the exception chain (not its text): connection refused,
    name not resolved, timed out after N s, connection reset, TLS: ... The caller's timeouts name the wait."""
    causes = _causes(error)
    kinds = tuple(type(cause) for cause in causes)

    def seen(*wanted: type[BaseException]) -> bool:
        return any(issubclass(kind, wanted) for kind in kinds)

    if seen(requests.exceptions.SSLError, urllib3.exceptions.SSLError, ssl.SSLError):
        return (
            f"TLS: the target's certificate was not accepted ({_tls_reason(error)}); if it is yours, "
            "give its CA with AWS_CA_BUNDLE=/path/to/ca.pem"
        )
    if seen(urllib3.exceptions.NameResolutionError, socket.gaierror):
        return "name not resolved"
    if seen(ConnectionRefusedError):
        return "connection refused"
    if seen(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError):
        return f"timed out after {connect_s:g} s"
    if seen(requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        return f"timed out after {read_s:g} s"
    if seen(ConnectionResetError):
        return "connection reset"
    if seen(http.client.RemoteDisconnected, ConnectionAbortedError, BrokenPipeError):
        return "connection closed before an answer"
    errors = [cause for cause in causes if type(cause) is OSError and cause.strerror]  # ENETUNREACH, EHOSTUNREACH
    if errors:
        return f"connection failed: {str(errors[0].strerror).lower()}"
    return f"connection failed ({type(error).__name__})"


def _tls_reason(error: BaseException) -> str:
    text = str(error)
    for known in (
        "certificate verify failed: self-signed certificate",
        "certificate verify failed",
        "hostname mismatch",
        "wrong version number",
    ):
        if known in text:
            return known
    return type(error).__name__
