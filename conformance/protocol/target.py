"""Which IAM the suite talks to, as whom, and the embedded moto server used when none is named."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from botocore.credentials import Credentials

from conformance.errors import ConformanceError
from conformance.protocol.partitions import credential_scope

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import BaseWSGIServer

DEFAULT_REGION = "us-east-1"
# The embedded target is a throw-away emulator on loopback: sign with dummy keys, never the user's own.
EMBEDDED_CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


class TargetError(ConformanceError):
    """The target cannot be used at all (bad URL, no credentials): the run exits 2 with this reason."""


def resolve_endpoint(explicit: str | None) -> tuple[str | None, str]:
    """--endpoint-url > AWS_ENDPOINT_URL_IAM > AWS_ENDPOINT_URL > None (embedded); with where it came from."""
    for value, origin in (
        (explicit, "--endpoint-url"),
        (os.environ.get("AWS_ENDPOINT_URL_IAM"), "AWS_ENDPOINT_URL_IAM"),
        (os.environ.get("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"),
    ):
        if value:
            return checked_endpoint(value, origin), origin
    return None, "embedded"


def checked_endpoint(value: str, origin: str) -> str:
    """`value` if it is a plain http(s) endpoint; else TargetError with a one-line reason that repeats nothing
    secret. User-info is refused (it would be printed in every report, and is no AWS credential anyway). A query
    string or fragment is refused rather than stripped: the query protocol sends its own parameters, and
    guessing which part of a URL the user meant would point the suite at a target nobody named."""
    if any(ord(c) < 0x21 or c == "\x7f" for c in value):
        raise TargetError(f"{origin} contains whitespace or control characters; give scheme://host[:port]/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise TargetError(f"{origin} is not a valid URL (check the host and port)") from None
    if "@" in parts.netloc:
        raise TargetError(
            f"{origin} holds user-info (user:password@ before the host); refused, never sent or "
            "shown: give the URL without it (the suite signs with your AWS credentials)"
        )
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise TargetError(
            f"{origin} has a query string or fragment (?.../#...); refused: an IAM endpoint takes "
            "neither, give scheme://host[:port][/path]"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = value if len(value) <= 200 else value[:200] + "…"
        raise TargetError(f"{origin}={shown!r} is not an http(s) URL")
    return value


def resolve_region(explicit: str | None, endpoint: str | None = None) -> tuple[str, str]:
    """The region the suite signs for, and where it came from: --region; else, for an AWS endpoint, the credential
    scope botocore's endpoint data gives it (as botocore's own IAM client signs, whatever the shell's region); else
    AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1."""
    if explicit:
        return explicit, "--region"
    scope = credential_scope(endpoint) if endpoint is not None else None
    if scope is not None:
        return scope, "the endpoint's partition, as botocore's endpoint data says"
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name], name
    return _configured_region()


def _configured_region() -> tuple[str, str]:
    # No config file, no region in it: botocore's session (0.1 s to import) has nothing to add.
    if not os.path.isfile(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")):
        return DEFAULT_REGION, "the default"
    from botocore.session import get_session

    configured = get_session().get_config_variable("region")
    return (str(configured), "the AWS profile") if configured else (DEFAULT_REGION, "the default")


def caller_credentials() -> Credentials:
    """The caller's credentials through botocore's usual chain (env, profile, SSO, IMDS...), frozen."""
    from botocore.credentials import EnvProvider

    # The environment comes first in botocore's chain, so when it holds keys the rest of the chain (and the
    # session behind it, 0.1 s to import) is never asked.
    credentials = EnvProvider().load()
    if credentials is None:
        from botocore.session import get_session

        credentials = get_session().get_credentials()
    if credentials is None:
        raise TargetError("no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)")
    frozen = credentials.get_frozen_credentials()
    # (loaded credentials always hold both keys; botocore's stubs allow None for any field)
    return Credentials(cast(str, frozen.access_key), cast(str, frozen.secret_key), frozen.token)


class EmbeddedMoto:
    """moto's server on a free loopback port, for as long as the context lasts."""

    def __init__(self) -> None:
        self._server: ThreadedMotoServer | None = None
        self.url = ""

    def __enter__(self) -> EmbeddedMoto:
        try:
            from moto.server import ThreadedMotoServer  # imported only when no endpoint is given
        except ImportError:
            raise TargetError(
                "no --endpoint-url given, and the embedded moto needs the [moto] extra: "
                "pip install 'iam-conformance[moto]'"
            ) from None

        # moto logs every request and prints tracebacks of its own 500s: the suite reports those itself.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._server = server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        listening = cast("BaseWSGIServer", server._server)  # set once start() returns
        self.url = f"http://127.0.0.1:{listening.server_port}/"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def moto_version() -> str:
    from importlib.metadata import version

    return version("moto")
