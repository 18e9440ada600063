"""Before any test: does the target answer, and does it accept the caller's credentials?

One request, allowed by the README's least-privilege policy even in --read-only mode (its only statement grants
iam:ListSigningCertificates): a listing of a user that does not exist. Refused credentials stop the run; a target
that answers anything else is the suite's to judge.
"""
from __future__ import annotations



from conformance.client import TargetUnreachable
from conformance.settings import RunSettings
from conformance.wire import read_error

# Codes with which AWS refuses the credentials themselves (not what they may do: that is AccessDenied).
AUTH_REFUSALS = {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken",
                 "InvalidAccessKeyId", "MissingAuthenticationToken", "IncompleteSignature"}


def preflight(settings: RunSettings, record=None) -> str | None:
    """Why the run cannot start (unreachable target, refused credentials), or None."""
    client = settings.client()
    try:
        exchange = client.call("ListSigningCertificates", {"UserName": f"ic-{settings.run_id}-preflight-absent"})
    except TargetUnreachable as exc:
        what = "TLS failure" if "TLS:" in str(exc) else "target unreachable"
        return f"{what} ({settings.endpoint_origin}): {exc}"
    finally:
        if record is not None:
            record.requests += client.request_count
        client.close()
    error = read_error(exchange)
    code = error.code if error is not None else None
    if code in AUTH_REFUSALS or (exchange.status == 401):
        return f"credentials refused by {settings.target_label or settings.endpoint}: HTTP {exchange.status} {code or ''}".strip()
    if code == "AccessDenied":
        return ("the credentials may not call iam:ListSigningCertificates on this target (AccessDenied): grant it "
                "(README, 'Running against real AWS')")
    return None
