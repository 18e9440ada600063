"""Broken and hostile IAM endpoints on loopback, for the suite's robustness tests."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                  b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><ListSigningCertificatesResponse>&c;</ListSigningCertificatesResponse>')
LIST_USERS_OK = (b'<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/>'
                 b"<IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>r</RequestId>"
                 b"</ResponseMetadata></ListUsersResponse>")

# mode -> (status, content type, body)
BODIES = {
    "garbage": (200, "text/xml", bytes(range(256)) * 8),
    "html": (500, "text/html", b"<!doctype html><html><body><h1>Internal Server Error</h1></body></html>"),
    "json": (400, "application/json", b'{"__type": "ValidationError", "message": "nope"}'),
    "empty": (200, "text/xml", b""),
    "dtd": (200, "text/xml", BILLION_LAUGHS),
    "huge": (200, "text/xml", b"<ListSigningCertificatesResponse>" + b"x" * (3 << 20)),
}


class HostileServer:
    """`mode` is a key of BODIES, or 'silent-after-preflight': answers the suite's first call, then never again."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                owner.calls += 1
                if owner.mode == "silent-after-preflight":
                    if owner.calls > 1:
                        time.sleep(120)  # never answers in time; the client must give up by itself
                        return
                    status, kind, body = 200, "text/xml", LIST_USERS_OK
                else:
                    status, kind, body = BODIES[owner.mode]
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> "HostileServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
