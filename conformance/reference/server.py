"""ReferenceServer: the reference app on a threaded werkzeug server at 127.0.0.1 on a free port."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import ReferenceApp
from .render import Flavour
from .store import Store


class _QuietHandler(WSGIRequestHandler):
    # HTTP/1.1 framing; werkzeug's development server still answers `Connection: close` and so opens one TCP
    # connection per request (moto's server does the same). The suite's client reuses connections where a
    # target keeps them open, as real IAM does.
    protocol_version = "HTTP/1.1"

    # The suite runs thousands of requests; werkzeug's per-request access log would drown pytest's output.
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass

    def log(self, type: str, message: str, *args: object) -> None:
        if type == "error":
            super().log(type, message, *args)


class _HeldBack:
    """The app, answering each request only after `seconds`: a target across a network instead of on loopback.
    The wait holds no CPU and no lock, so concurrent requests wait side by side as they would on the wire."""

    def __init__(self, app: ReferenceApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        time.sleep(self.seconds)
        return self.app(environ, start_response)


class ReferenceServer:
    """`with ReferenceServer(flavour=Flavour()) as server: server.url` - or start()/stop() explicitly.

    Pass `app=` a ReferenceApp (or a subclass overriding one behaviour) to serve something other than the
    known-good reference; otherwise a fresh app and empty store are created from `flavour`. `latency_s` holds
    every answer back that long (the benchmark's stand-in for a target across a network); `ssl_context` serves HTTPS
    (the tests' stand-in for an AWS endpoint behind a proxy).
    """

    def __init__(
        self,
        flavour: Flavour | None = None,
        *,
        app: ReferenceApp | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_s: float = 0.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.app = app if app is not None else ReferenceApp(flavour or Flavour())
        self.latency_s = latency_s
        self.ssl_context = ssl_context
        self.flavour = self.app.flavour
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("ReferenceServer is not running")
        return f"{'https' if self.ssl_context else 'http'}://{self.host}:{self._server.server_port}/"

    @property
    def port_number(self) -> int:
        if self._server is None:
            raise RuntimeError("ReferenceServer is not running")
        return self._server.server_port

    @property
    def requests_served(self) -> int:
        return self.app.requests_served

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> ReferenceServer:
        if self._server is not None:
            return self
        served = _HeldBack(self.app, self.latency_s) if self.latency_s > 0 else self.app
        self._server = make_server(
            self.host, self.port, served, threaded=True, request_handler=_QuietHandler, ssl_context=self.ssl_context
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"reference-iam-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
