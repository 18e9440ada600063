"""Identity-based IAM policies, as far as the reference enforces them: Allow and Deny statements naming Action and
Resource, with IAM's wildcards (`*` any run of characters, `/` included; `?` one character) and the
`${aws:username}` variable. An explicit Deny wins; nothing allowed is denied.

A statement using anything else (NotAction, NotResource, Condition, other variables) grants nothing here: the
reference is a small model of IAM, and a grant it cannot evaluate must not let a request through.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

SUPPORTED_KEYS = {"Sid", "Effect", "Action", "Resource"}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class PolicyError(ValueError):
    """A policy document the reference cannot read (not JSON, no Statement)."""


def statements(document: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(document)
    except ValueError:
        raise PolicyError("Syntax errors in policy.") from None
    found = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(s, dict) for s in found):
        raise PolicyError("Policy document must contain a Statement list.")
    return found


def _as_list(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


@functools.lru_cache(maxsize=512)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _resource_matches(pattern: str, resource: str, variables: Mapping[str, str]) -> bool:
    unknown = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(1) in variables:
            return variables[match.group(1)]
        unknown = True
        return ""

    expanded = _VARIABLE.sub(substitute, pattern)
    return not unknown and _glob(expanded, False).fullmatch(resource) is not None


def statement_matches(statement: Mapping[str, Any], action: str, resource: str, variables: Mapping[str, str]) -> bool:
    if set(statement) - SUPPORTED_KEYS:
        return False
    actions_match = any(_glob(a, True).fullmatch(action) for a in _as_list(statement.get("Action")))
    return actions_match and any(_resource_matches(r, resource, variables) for r in _as_list(statement.get("Resource")))


def allows(documents: Iterable[str], action: str, resource: str, variables: Mapping[str, str] | None = None) -> bool:
    """Whether `documents` (policy JSON) allow `action` (e.g. iam:ListUsers) on `resource` (an ARN)."""
    allowed = False
    for document in documents:
        for statement in statements(document):
            if statement_matches(statement, action, resource, variables or {}):
                if statement.get("Effect") == "Deny":
                    return False
                allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
