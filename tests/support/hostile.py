"""Broken and hostile IAM endpoints on loopback, for the suite's robustness tests."""

from __future__ import annotations

import io
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><ListSigningCertificatesResponse>&c;</ListSigningCertificatesResponse>'
)
LIST_USERS_OK = (
    b'<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/>'
    b"<IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>r</RequestId>"
    b"</ResponseMetadata></ListUsersResponse>"
)

# mode -> (status, content type, body)
BODIES = {
    "garbage": (200, "text/xml", bytes(range(256)) * 8),
    "html": (500, "text/html", b"<!doctype html><html><body><h1>Internal Server Error</h1></body></html>"),
    "json": (400, "application/json", b'{"__type": "ValidationError", "message": "nope"}'),
    "empty": (200, "text/xml", b""),
    "dtd": (200, "text/xml", BILLION_LAUGHS),
    "huge": (200, "text/xml", b"<ListSigningCertificatesResponse>" + b"x" * (3 << 20)),
}
# Modes that answer slowly, one byte per DRIP_PACE_S, from the first call or after the preflight's ListUsers:
# "slow-body" (a Content-Length of SLOW_BODY_BYTES), "slow-head" (status line and headers dripped too),
# "slow-unsized-body" (no Content-Length: the body ends when the connection does).
SLOW_MODES = ("slow-body", "slow-head", "slow-unsized-body", "slow-body-after-preflight", "slow-head-after-preflight")
SLOW_BODY_BYTES = 100_000
DRIP_PACE_S = 1.0
# Modes of ListUsers for `iam-conformance cleanup`: every page truncated with a fresh Marker, Markers A,B,A,B...,
# or fresh Markers and USERS_PER_PAGE matching users on every page. Every other action answers 200.
LIST_MODES = ("fresh-markers", "marker-cycle", "crowded")
USERS_PER_PAGE = 500
SUITE_USER_PATH = "/iam-conformance/deadbeef-gw0/"
NAMESPACE = b"https://iam.amazonaws.com/doc/2010-05-08/"


def success(action: str, result: bytes = b"") -> bytes:
    return (
        b'<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId>'
        b"</ResponseMetadata></%sResponse>"
    ) % (action.encode(), NAMESPACE, action.encode(), result, action.encode(), action.encode())


def list_users_page(mode: str, page: int) -> bytes:
    marker = f"m{page % 2}" if mode == "marker-cycle" else f"m{page}"
    users = b""
    if mode == "crowded":
        users = b"".join(
            b"<member><UserName>ic-deadbeef-gw0-p%du%d</UserName><Path>%s</Path><UserId>AIDA%d</UserId>"
            b"</member>" % (page, n, SUITE_USER_PATH.encode(), n)
            for n in range(USERS_PER_PAGE)
        )
    return success(
        "ListUsers", b"<Users>%s</Users><IsTruncated>true</IsTruncated><Marker>%s</Marker>" % (users, marker.encode())
    )


class HostileServer:
    """`mode`: a key of BODIES (that body to every call, the preflight included: no IAM there), the same followed by
    '-after-preflight' (an IAM answer to the preflight, that body to every later call), one of SLOW_MODES or
    LIST_MODES, 'sets-cookie', 'reset' (every connection reset), or 'silent-after-preflight' (answers the first call,
    then never again). `calls` counts requests; `authorizations`
    keeps each request's Authorization header."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0
        self.actions: list[str] = []
        self.list_pages = 0
        self.authorizations: list[str | None] = []
        self.cookies: list[str | None] = []  # each request's Cookie header
        self.stopped = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode() or urlsplit(self.path).query)
                owner.calls += 1
                owner.authorizations.append(self.headers.get("Authorization"))
                owner.cookies.append(self.headers.get("Cookie"))
                owner.actions.append(form.get("Action", [""])[0])
                owner.answer(self, form.get("Action", [""])[0])

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def answer(self, handler: BaseHTTPRequestHandler, action: str) -> None:
        mode = self.mode
        if mode.endswith("after-preflight") and self.calls == 1:
            mode = "first-call"
        if mode == "silent-after-preflight":
            self.stopped.wait(120)  # never answers in time; the client must give up by itself
            return
        if mode in LIST_MODES:
            if action == "ListUsers":
                self.list_pages += 1
                body = list_users_page(mode, self.list_pages)
            else:
                body = success(action)
            return self._send(handler, 200, "text/xml", body)
        if mode == "reset":  # the connection reset (RST) instead of an answer
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            handler.wfile = io.BytesIO()  # what the handler still writes goes nowhere
            return
        if mode == "sets-cookie":  # a session cookie, as a load balancer's stickiness would
            handler.send_response(200)
            handler.send_header("Set-Cookie", "sticky=s3cr3t; Path=/")
            handler.send_header("Content-Type", "text/xml")
            handler.send_header("Content-Length", str(len(LIST_USERS_OK)))
            handler.end_headers()
            handler.wfile.write(LIST_USERS_OK)
            return
        if mode.startswith("slow-"):
            return self._drip(handler, head_too=mode.startswith("slow-head"), sized=not mode.startswith("slow-unsized"))
        # "html-after-preflight" (any of BODIES): an IAM answer to the preflight, then that body to everything
        status, kind, body = (
            (200, "text/xml", LIST_USERS_OK) if mode == "first-call" else BODIES[mode.removesuffix("-after-preflight")]
        )
        self._send(handler, status, kind, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _drip(self, handler: BaseHTTPRequestHandler, head_too: bool, sized: bool) -> None:
        length = f"Content-Length: {SLOW_BODY_BYTES}\r\n" if sized else "Connection: close\r\n"
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n{length}X-Padding: {'p' * 40}\r\n\r\n").encode()
        body = b"<ListUsersResponse>" + b"x" * (SLOW_BODY_BYTES - 19)
        try:
            if not head_too:
                handler.wfile.write(head)
                handler.wfile.flush()
            for byte in (head if head_too else b"") + body:
                if self.stopped.wait(DRIP_PACE_S):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:  # the client hung up, as it should
            return

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()
