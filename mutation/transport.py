"""The reference served to `requests` without sockets: a transport adapter that calls the WSGI app in-process.

Over loopback every request costs a TCP connection and a server thread (werkzeug's development server closes
each connection); a standard-profile suite run took 1.15 s that way and 0.65 s through this adapter. The adapter
mirrors what werkzeug's server hands the app (RAW_URI, the raw query string, the headers as sent) and what it
answers when the app itself raises (a 500 HTML page), so a mutant behaves here as it would behind a socket.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse
from werkzeug.exceptions import InternalServerError
from werkzeug.test import EnvironBuilder, run_wsgi_app

# A host that cannot resolve (RFC 2606 .invalid): should anything bypass the adapter, it fails instead of leaking.
ENDPOINT = "http://reference.mutation.invalid/"


class WsgiAdapter(BaseAdapter):
    """Answers every request it is mounted for by calling `app`, synchronously, in the caller's thread."""

    def __init__(self, app: Callable) -> None:
        super().__init__()
        self.app = app
        self._responses = HTTPAdapter()  # only its build_response(): cookies, encoding, url, history

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout=None,
        verify=True,
        cert=None,
        proxies=None,
    ) -> requests.Response:
        parts = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        builder = EnvironBuilder(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=request.method,
            headers=dict(request.headers),
            data=body,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        raw_uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        environ["RAW_URI"] = environ["REQUEST_URI"] = raw_uri  # as werkzeug's server sets them
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            data = b"".join(app_iter)
            headers = list(headers.items())
        except Exception:  # what werkzeug's server sends when the application raises before answering
            page = InternalServerError().get_response(environ)
            status, headers, data = page.status, list(page.headers.items()), page.get_data()
        raw = HTTPResponse(
            body=io.BytesIO(data),
            headers=headers,
            status=int(status.split(" ", 1)[0]),
            reason=status.partition(" ")[2],
            preload_content=False,
            decode_content=False,
        )
        return self._responses.build_response(request, raw)

    def close(self) -> None:
        self._responses.close()


def session_for(app: Callable) -> requests.Session:
    """A requests session whose calls to ENDPOINT go to `app`."""
    session = requests.Session()
    session.trust_env = False
    session.mount(ENDPOINT, WsgiAdapter(app))
    return session


@contextmanager
def routed(app: Callable) -> Iterator[str]:
    """Within the block, every requests.Session created (the suite makes its own) sends ENDPOINT's calls to
    `app`; yields ENDPOINT. Sessions made before the block, and other hosts, are untouched."""
    original = requests.Session.__init__

    def init(session: requests.Session, *args, **kwargs) -> None:
        original(session, *args, **kwargs)
        session.mount(ENDPOINT, WsgiAdapter(app))

    requests.Session.__init__ = init
    try:
        yield ENDPOINT
    finally:
        requests.Session.__init__ = original


LISTING_ACTION = "ListSigningCertificates"


def listings_unmutated(app: Callable) -> Callable:
    """`app`, with every ListSigningCertificates request served by the unmutated reference code (mutmut's trampolines
    call the original function while MUTANT_UNDER_TEST names no mutant) and every other request by the mutant.

    The probe run through it tells apart a mutant whose listings differ because the listing code itself changed from
    one whose listings differ only because its other actions (CreateUser, UploadSigningCertificate...) left another
    state behind: for the latter, this app answers the whole sequence exactly as the mutant does."""

    def served(environ: dict, start_response: Callable) -> list[bytes]:
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        params = parse_qs(environ.get("QUERY_STRING", "")) | parse_qs(body.decode("latin-1"))
        if LISTING_ACTION not in params.get("Action", []):
            return list(app(environ, start_response))
        selected = os.environ.get("MUTANT_UNDER_TEST")
        os.environ["MUTANT_UNDER_TEST"] = ""  # no mutant: every trampoline calls the original
        try:
            return list(app(environ, start_response))  # consumed here, while the original code is selected
        finally:
            if selected is None:
                del os.environ["MUTANT_UNDER_TEST"]
            else:
                os.environ["MUTANT_UNDER_TEST"] = selected

    return served
