"""The client against a target that keeps connections open, as real IAM does."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.credentials import Credentials

from conformance.client import IamClient, Identity
from hostile import LIST_USERS_OK


class KeepAliveTarget:
    """Answers every call with an empty ListUsers over HTTP/1.1 keep-alive; counts the TCP connections made."""

    def __init__(self) -> None:
        self.connections = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                owner.connections += 1
                super().setup()

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(LIST_USERS_OK)))
                self.end_headers()
                self.wfile.write(LIST_USERS_OK)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_calls_reuse_one_connection_when_the_target_keeps_it_open():
    target = KeepAliveTarget()
    client = IamClient(target.url, "us-east-1", Identity("caller", Credentials("AKIDEXAMPLE", "secret")))
    try:
        statuses = [client.call("ListUsers").status for _ in range(5)]
    finally:
        client.close()
        target.close()
    assert statuses == [200] * 5
    assert target.connections == 1
