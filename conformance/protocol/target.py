"""Which IAM the suite talks to, as whom, and the embedded moto server used when none is named."""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from botocore.credentials import Credentials

from conformance.errors import ConformanceError

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


def is_real_aws(endpoint: str) -> bool:
    """An AWS-operated endpoint, where creating users costs a real account: any IAM hostname botocore knows, or
    any host under one of its partitions' DNS suffixes (regional, FIPS, dual-stack and VPC endpoints included)."""
    host = (urlsplit(endpoint).hostname or "").lower().rstrip(".")
    if host == "localhost" or _is_ip_address(host):  # AWS endpoints are names: no need to read botocore's data
        return False
    hostnames, suffixes = aws_names()
    return host in hostnames or any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.cache
def aws_names() -> tuple[frozenset[str], tuple[str, ...]]:
    """(IAM hostnames, DNS suffixes) of every partition in botocore's own endpoint and partition data."""
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import create_loader

    loader = create_loader()
    endpoints = loader.load_data("endpoints")
    suffixes = set(_values_of("dnsSuffix", endpoints))  # each partition's, and its FIPS/dual-stack variants'
    try:
        partitions = loader.load_data("partitions")["partitions"]  # the data endpoint rule sets resolve with
    except DataNotFoundError:  # a botocore from before endpoint rule sets: endpoints.json holds them all
        partitions = []
    suffixes.update(_values_of("dnsSuffix", partitions), _values_of("dualStackDnsSuffix", partitions))
    hostnames = {
        hostname.lower()
        for partition in endpoints["partitions"]
        for hostname in _values_of("hostname", partition["services"].get("iam", {}))
        if "{" not in hostname
    }  # templates ({service}.{region}.{dnsSuffix}) fall under the suffixes
    return frozenset(hostnames), tuple(sorted(suffix.lower() for suffix in suffixes if suffix))


def _values_of(key: str, data: object) -> Iterator[str]:
    """Every string value of `key` anywhere in nested JSON data."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == key and isinstance(value, str):
                yield value
            else:
                yield from _values_of(key, value)
    elif isinstance(data, list):
        for item in data:
            yield from _values_of(key, item)


def resolve_region(explicit: str | None) -> str:
    if explicit:
        return explicit
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    if not os.path.isfile(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")):
        return (
            DEFAULT_REGION  # no config file, no region in it: botocore's session (0.1 s to import) has nothing to add
        )
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
