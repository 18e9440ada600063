"""Who signs a request to the reference: a user (the account root included), a role's session, and the temporary
credentials STS hands out for either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias

ACCOUNT_ID = "123456789012"


@dataclass
class User:
    name: str
    path: str
    user_id: str
    created: datetime
    root: bool = False

    @property
    def kind(self) -> Literal["root", "user"]:
        return "root" if self.root else "user"

    @property
    def arn(self) -> str:
        if self.root:
            return f"arn:aws:iam::{ACCOUNT_ID}:root"
        return user_arn(self.path, self.name)


def user_arn(path: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:user{path}{name}"


@dataclass(frozen=True)
class RoleSession:
    """The principal of temporary credentials: an assumed role's session. It is no user: an action that falls back
    on the caller's own user (UserName omitted) has none to fall back on."""

    role_name: str
    session_name: str
    role_id: str
    policy: str | None  # the role's permissions policy, enforced when the store enforces policies
    root: bool = False
    kind: Literal["role"] = "role"

    @property
    def name(self) -> str:
        return self.session_name

    @property
    def user_id(self) -> str:
        return f"{self.role_id}:{self.session_name}"

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{self.role_name}/{self.session_name}"


# Whoever signed a request: a user (the account root included) or a role's session.
Principal: TypeAlias = User | RoleSession


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key_id: str  # ASIA...: AWS's documented prefix of temporary access key ids
    secret: str
    token: str
    principal: Principal  # a role's session, or a user's own (GetSessionToken)
    mfa: bool = True  # a user's session only serves IAM when it was authenticated with MFA
