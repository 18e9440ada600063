"""The curl line that replays a request of the evidence, and why it may not replay as the request ran.

The line is built from the request as the evidence describes it, whose values are already redacted: each value is
bounded and neutralised (one line, nothing a terminal acts on), then every word is quoted once (shlex). A finished
line is never redacted or cut: whatever a redactor masks, it masks inside one value, within its quotes, so the line
stays exactly one curl command whatever a target put in a Marker or handed out as a secret. Credentials are
references to the user's environment, in words the suite writes itself; they expand in the user's shell.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.protocol.client import OWN_KEY, RESIGNED, UNKNOWN_KEY, WRONG_SECRET
from conformance.safety.bounds import bounded
from conformance.safety.terminal import neutralise


@dataclass(frozen=True)
class _Shell:
    """A word of shell the suite wrote itself (a reference to the user's credentials), rendered as it is."""

    text: str


_CALLER = _Shell('"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"')
_WRONG_SECRET = _Shell('"$AWS_ACCESS_KEY_ID:not-the-secret-key"')
# Temporary credentials sign with their session token too; nothing is added when none is set.
_SESSION_TOKEN = _Shell('${AWS_SESSION_TOKEN:+-H "x-amz-security-token: $AWS_SESSION_TOKEN"}')


def _literal(value: object) -> str:
    """A value as one literal word: bounded, then neutralised (a newline is shown as \\n, never ends the line)."""
    return neutralise(bounded(str(value)))


def replay_line(request: Mapping[str, Any]) -> str:
    """A curl line replaying `request` (the evidence's: method, endpoint, params, signed_by, region), signed by curl
    itself as the suite signed it. `request` must be redacted already: nothing is redacted here."""
    signer = str(request.get("signed_by") or "unsigned")
    params = request.get("params")
    words: list[str | _Shell] = ["curl", "-sS", "-i"]
    if signer != "unsigned":
        if signer == WRONG_SECRET:
            user: str | _Shell = _WRONG_SECRET
        elif signer.startswith(UNKNOWN_KEY):  # the label ends with the (made-up, never issued) key id
            user = _literal(signer[len(UNKNOWN_KEY) :].strip()) + ":any-secret"
        else:
            user = _CALLER
        region = _literal(request.get("region") or "us-east-1")
        words += ["--aws-sigv4", f"aws:amz:{region}:iam", "--user", user]
    if request.get("method") == "GET":
        words += ["--get"]
    for name, value in (params if isinstance(params, Mapping) else {}).items():
        words += ["--data-urlencode", f"{_literal(name)}={_literal(value)}"]
    words.append(_literal(request.get("endpoint") or ""))
    if user_is_the_caller(signer):
        words.append(_SESSION_TOKEN)
    return " ".join(word.text if isinstance(word, _Shell) else shlex.quote(word) for word in words)


def user_is_the_caller(signer: str) -> bool:
    return signer not in ("unsigned", WRONG_SECRET) and not signer.startswith(UNKNOWN_KEY)


def replay_note(signer: str, params: Mapping[str, str], run_id: str, resources_kept: bool) -> str | None:
    """Why the line does not reproduce the exchange as it ran, and what would; None when it does."""
    if signer.startswith(RESIGNED):
        return (
            f"the suite sent this request {signer[len(RESIGNED) - len('signed ') :]}; curl signs what it "
            "sends, so the line reproduces the request, not its signature (sign by hand to reproduce)"
        )
    if signer.startswith(OWN_KEY):
        return (
            f"signed with the {signer}, a key the run created"
            + ("" if resources_kept else " and deleted at its end (rerun with --keep-resources to keep it)")
            + ": put that key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to replay"
        )
    named = [v for v in params.values() if v.startswith(f"ic-{run_id}-") and not v.endswith("-absent")]
    if named and not resources_kept:
        return f"names {named[0]}, which the run created and deleted at its end (rerun with --keep-resources)"
    return None
