"""Before any test: can this run start at all? Options, the target's reachability, the caller's credentials.

Kept apart from the fixtures so that an xdist controller, which runs no test, checks this without importing
what only the workers need (Hypothesis, the seeder, certificates).
"""
from __future__ import annotations

import time

import pytest

from conformance import baseline, redaction
from conformance.client import IamClient, Identity, TargetUnreachable
from conformance.plugin import run_setting
from conformance.target import (EMBEDDED_CREDENTIALS, TargetError, caller_identity, is_real_aws, resolve_endpoint,
                                resolve_region)
from conformance.wire import read_error

AUTH_REFUSALS = {"InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "UnrecognizedClientException"}


def identity_for(endpoint: str | None) -> Identity:
    if endpoint is not None:
        return caller_identity()
    redaction.register(EMBEDDED_CREDENTIALS.secret_key)
    return Identity("caller", EMBEDDED_CREDENTIALS)


def monotonic_deadline(config: pytest.Config) -> float:
    """The run's deadline is wall-clock (shared by xdist workers); clients count in monotonic time."""
    return time.monotonic() + run_setting(config, "iam_deadline_epoch") - time.time()


def preflight(config: pytest.Config) -> str | None:
    """Why the run cannot start (bad options, unreachable target, refused credentials), or None."""
    try:
        baseline.load(config.getoption("baseline"))
        endpoint, origin = resolve_endpoint(config.getoption("endpoint_url"))
        if endpoint is None:
            return None
        if is_real_aws(endpoint) and not (config.getoption("read_only") or config.getoption("allow_writes")):
            return (f"{endpoint} is real AWS: the suite creates (and deletes) users under /iam-conformance/ there. "
                    "Pass --allow-writes to agree, or --read-only to run only the checks that create nothing")
        client = IamClient(endpoint, resolve_region(config.getoption("region")), identity_for(endpoint),
                           monotonic_deadline(config))
        try:
            exchange = client.call("ListUsers", {"PathPrefix": "/iam-conformance/", "MaxItems": "1"})
        finally:
            client.close()
    except (TargetError, baseline.BaselineError) as exc:
        return str(exc)
    except TargetUnreachable as exc:
        return f"target unreachable ({origin}): {exc}"
    error = read_error(exchange)
    if exchange.status in (401, 403) or (error is not None and error.code in AUTH_REFUSALS):
        return f"credentials refused by {endpoint}: HTTP {exchange.status} {error.code if error else ''}".strip()
    return None
