"""Which IAM the suite talks to, as whom, and the embedded moto server used when none is named."""
from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from botocore.credentials import Credentials

DEFAULT_REGION = "us-east-1"
# The embedded target is a throw-away emulator on loopback: sign with dummy keys, never the user's own.
EMBEDDED_CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


class TargetError(Exception):
    """The target cannot be used at all (bad URL, no credentials): the run exits 2 with this reason."""


def resolve_endpoint(explicit: str | None) -> tuple[str | None, str]:
    """--endpoint-url > AWS_ENDPOINT_URL_IAM > AWS_ENDPOINT_URL > None (embedded); with where it came from."""
    for value, origin in (
        (explicit, "--endpoint-url"),
        (os.environ.get("AWS_ENDPOINT_URL_IAM"), "AWS_ENDPOINT_URL_IAM"),
        (os.environ.get("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"),
    ):
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise TargetError(f"{origin}={value!r} is not an http(s) URL")
            return value, origin
    return None, "embedded"


def is_real_aws(endpoint: str) -> bool:
    """An AWS-operated endpoint (commercial or China partitions), where creating users costs a real account."""
    host = (urlsplit(endpoint).hostname or "").lower()
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn")) or host in ("amazonaws.com", "amazonaws.com.cn")


def resolve_region(explicit: str | None) -> str:
    if explicit:
        return explicit
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    if not os.path.isfile(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")):
        return DEFAULT_REGION  # no config file, no region in it: botocore's session (0.1 s to import) has nothing to add
    from botocore.session import get_session

    return get_session().get_config_variable("region") or DEFAULT_REGION


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
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token)


class EmbeddedMoto:
    """moto's server on a free loopback port, for as long as the context lasts."""

    def __init__(self) -> None:
        self._server = None
        self.url = ""

    def __enter__(self) -> "EmbeddedMoto":
        try:
            from moto.server import ThreadedMotoServer  # imported only when no endpoint is given
        except ImportError:
            raise TargetError("no --endpoint-url given, and the embedded moto needs the [moto] extra: "
                              "pip install 'iam-conformance[moto]'") from None

        # moto logs every request and prints tracebacks of its own 500s: the suite reports those itself.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.url = f"http://127.0.0.1:{self._server._server.server_port}/"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def moto_version() -> str:
    from importlib.metadata import version

    return version("moto")
