"""Who the caller's credentials are, as IAM tells them apart: the account root, a user (with its long-term key or a
session of its own from GetSessionToken), or no user at all (a role's session, a federated session).

An access key id's prefix cannot tell: AKIA is a user's or the root's, ASIA any temporary credentials, and a user's
own session (what accounts that enforce MFA hand their users) acts as that user, where a role's has no user to fall
back on (recorded: awsvault328-iam-session-token-mfa-vs-none.txt, ls-delete-access-key-non-user-credentials.xml).
One call tells: GetUser with UserName omitted answers the caller's own user, refuses non-user credentials with 400
ValidationError, or, when the policy forbids it, names the caller's ARN in its AccessDenied message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from conformance.protocol.wire import Exchange, child, read_error, result_element, text

NON_USER_MESSAGE = "Must specify userName when calling with non-User credentials"  # recorded (DeleteAccessKey)
_DENIED_ARN = re.compile(r"\b(arn:aws[\w-]*:(?:iam|sts)::\d{12}:[^\s]+?)\s+is not authorized")


class CallerKind(StrEnum):
    ROOT = "root"
    USER = "user"  # a user's long-term key, or a session of its own (GetSessionToken)
    ROLE = "role"  # a role's session: no user
    FEDERATED = "federated"  # GetFederationToken: no user
    UNKNOWN = "unknown"  # the target did not say (an emulator without GetUser, say)

    @property
    def is_a_user(self) -> bool:
        """Whether the credentials act as a user of their own: UserName omitted means that user (the root's own)."""
        return self in (CallerKind.ROOT, CallerKind.USER)

    @property
    def is_no_user(self) -> bool:
        return self in (CallerKind.ROLE, CallerKind.FEDERATED)


@dataclass(frozen=True)
class Caller:
    kind: CallerKind
    arn: str | None
    basis: str  # how the target told it, for the report

    def describe(self, temporary: bool) -> str:
        """The caller in words, with what its credentials are."""
        held = "temporary credentials with a session token" if temporary else "a long-term access key"
        words = {
            CallerKind.ROOT: "the account root",
            CallerKind.USER: "a user (its own session)" if temporary else "a user",
            CallerKind.ROLE: "a role's session",
            CallerKind.FEDERATED: "a federated session",
            CallerKind.UNKNOWN: "a caller the target did not name",
        }[self.kind]
        return f"{words}, signing with {held}" + (f" ({self.arn})" if self.arn else "")


def kind_of_arn(arn: str) -> CallerKind:
    if arn.endswith(":root"):
        return CallerKind.ROOT
    if ":user/" in arn:
        return CallerKind.USER
    if ":assumed-role/" in arn:
        return CallerKind.ROLE
    if ":federated-user/" in arn:
        return CallerKind.FEDERATED
    return CallerKind.UNKNOWN


def caller_of(answer: Exchange) -> Caller:
    """Who signed, from the answer to GetUser with UserName omitted."""
    user = child(result_element(answer, "GetUser"), "User")
    arn = text(child(user, "Arn"))
    if answer.status == 200 and arn:
        return Caller(kind_of_arn(arn), arn, "GetUser answered the caller's own user")
    error = read_error(answer)
    if error is not None and answer.status == 400 and error.code == "ValidationError":
        if NON_USER_MESSAGE.lower() in (error.message or "").lower():
            return Caller(CallerKind.ROLE, None, "GetUser refused non-user credentials (no user to fall back on)")
    if error is not None and error.code == "AccessDenied":
        denied = _DENIED_ARN.search(error.message or "")
        if denied:
            return Caller(kind_of_arn(denied.group(1)), denied.group(1), "GetUser's AccessDenied named the caller")
    return Caller(CallerKind.UNKNOWN, None, f"GetUser did not say (HTTP {answer.status})")


def caller_for(kind: str, get_user: Callable[[], Exchange]) -> Caller:
    """Who the caller is, by its credentials' kind (long-term | temporary | unknown: conformance.config.settings): a
    long-term key (AKIA) is a user's or the root's, and both list their own certificates, no call needed; temporary
    credentials may act as a user or as none, and `get_user()` (GetUser, UserName omitted) tells which."""
    if kind == "temporary":
        return caller_of(get_user())
    if kind == "long-term":
        return Caller(CallerKind.USER, None, "a long-term access key (AKIA): a user's or the root's")
    return Caller(CallerKind.UNKNOWN, None, "an access key of no AWS kind, as emulators accept")
