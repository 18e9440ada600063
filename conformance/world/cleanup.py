"""Deleting what the suite created, bounded whatever the target answers: a run's own cleanup, the final sweep of a
run's path, and `iam-conformance cleanup` for what killed runs left.

Only the suite's own users are ever touched: `ic-*` names under a run's path, /iam-conformance/<run id>-<worker>/.
Users are streamed page by page and deleted as they come (flat memory); pages, requests and refusals are bounded,
a repeated Marker stops the listing; what could not be finished is returned as a problem, never raised.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from conformance.errors import ConformanceError
from conformance.protocol.client import IamClient, TargetUnreachable
from conformance.protocol.pace import overlapped
from conformance.protocol.wire import Exchange, child, children, read_error, result_element, text

SUITE_PATH = "/iam-conformance/"
# What one cleanup (a run's own, or `iam-conformance cleanup`) may ask of the target, whatever it answers. Real IAM
# lists 100 users per page and answers in ~0.1 s: the time budget (CLEANUP_GRACE_S, SWEEP_DEADLINE_S) binds there
# first; these bind on a fast target that lists without end.
CLEANUP_PAGE_LIMIT = 100
CLEANUP_REQUEST_LIMIT = 5000
CLEANUP_PROBLEM_LIMIT = 50  # refused deletions: past this many the target is not deleting anything
SWEEP_DEADLINE_S = 600  # `iam-conformance cleanup` as a whole
FINISH_LATER = "run `iam-conformance cleanup` to delete what is left"


# A run's own path: /iam-conformance/<8 hex>-<worker>/ (seeding.Seeder); nothing else is ever swept.
RUN_PATH = re.compile(r"/iam-conformance/[0-9a-f]{8}-[A-Za-z0-9_]+/")


# IAM user names: at most 64 characters of [\w+=,.@-]; anything else a target lists is not the suite's.
SUITE_USER_NAME = re.compile(r"ic-[\w+=,.@-]{1,61}", re.ASCII)


class CleanupStopped(ConformanceError):
    """A cleanup bound was reached, or the target's listing cannot be followed: the rest is left for later."""


class SuiteUser(Protocol):
    """A user to delete: one the run made (seeding.SeededUser) or one found on the target (Leftover)."""

    @property
    def name(self) -> str: ...
    @property
    def may_hold(self) -> Set[str]: ...  # the kinds of holding (HOLDING_KINDS) to list before deleting
    def recorded(self, kind: str) -> list[str]: ...


class Cleanup:
    """One bounded cleanup: its requests are counted and its problems collected, never raised."""

    def __init__(self, client: IamClient, path: str) -> None:
        self.client = client
        self.path = path  # what is being cleaned up, for the problems' wording
        self.problems: list[str] = []
        self.deleted: list[str] = []  # users the target said it deleted (or no longer had)
        self._attempted: set[str] = set()  # at most one name per request made: bounded by the request limit
        self._stop_at = client.request_count + CLEANUP_REQUEST_LIMIT
        self._lock = threading.Lock()  # users are deleted side by side when the list of them is known (`run`)

    def call(self, action: str, params: dict[str, str]) -> Exchange:
        if self.client.request_count >= self._stop_at:
            raise CleanupStopped(f"it reached its bound of {CLEANUP_REQUEST_LIMIT} requests")
        return self.client.call(action, params)

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)
            if len(self.problems) >= CLEANUP_PROBLEM_LIMIT:
                raise CleanupStopped(f"{CLEANUP_PROBLEM_LIMIT} deletions were refused")

    def _first_time(self, name: str) -> bool:
        with self._lock:
            fresh = name not in self._attempted
            self._attempted.add(name)
            return fresh

    def _delete(self, user: SuiteUser) -> None:
        if self._first_time(user.name) and delete_user(self, user):
            with self._lock:
                self.deleted.append(user.name)

    def run(self, users: Iterable[SuiteUser], side_by_side: bool = False) -> None:
        """Delete `users` (each once): as they come (a listing streamed page by page), or `side_by_side` (a known
        list, each user's own calls in order, the users' overlapped within the client's pace). A stop or a lost
        target becomes a problem."""
        try:
            if side_by_side:
                overlapped(self.client.pace, self._delete, list(users))
            else:
                for user in users:
                    self._delete(user)
        except Exception as exc:  # whatever the target answered (a redirect, a reset, garbage): a problem, never raised
            deadline = self.client.deadline
            if isinstance(exc, CleanupStopped):
                why = str(exc)
            elif isinstance(exc, TargetUnreachable) and deadline is not None and time.monotonic() >= deadline:
                why = "its time ran out"
            elif isinstance(exc, TargetUnreachable):
                why = f"the target stopped answering ({exc})"
            else:
                why = f"{type(exc).__name__}: {exc}"
            self.problems.append(f"cleanup stopped: {why}; {FINISH_LATER} under {self.path}")


def suite_users(cleanup: Cleanup, path_prefix: str) -> Iterator[str]:
    """The suite's users under `path_prefix` whose path is a run path, page by page as ListUsers gives them.

    Only the current page's names and a digest of each Marker seen are held. Raises CleanupStopped on a Marker
    seen before (a cycle), past CLEANUP_PAGE_LIMIT pages, or when a listing cannot be read.
    """
    marker, seen = None, set()
    for page in range(1, CLEANUP_PAGE_LIMIT + 1):
        exchange = cleanup.call("ListUsers", {"PathPrefix": path_prefix, **({"Marker": marker} if marker else {})})
        result = result_element(exchange, "ListUsers")
        if result is None and marker is not None:
            # IAM may not honour a Marker once users before it were deleted: start again from the top, where
            # the users still left now come first.
            marker, seen = None, set()
            continue
        if result is None:
            error = read_error(exchange)
            code = f" {error.code[:64]}" if error is not None and error.code else ""
            raise CleanupStopped(f"ListUsers answered HTTP {exchange.status}{code}, not a listing")
        names = []
        for member in children(child(result, "Users"), "member"):
            name, path = text(child(member, "UserName")) or "", text(child(member, "Path")) or ""
            if SUITE_USER_NAME.fullmatch(name) and RUN_PATH.fullmatch(path) and path.startswith(path_prefix):
                names.append(name)
        truncated, marker = text(child(result, "IsTruncated")) == "true", text(child(result, "Marker"))
        del exchange, result  # the page's tree goes before its users are deleted
        yield from names
        if not truncated:
            return
        if not marker:
            raise CleanupStopped("ListUsers said more users follow but gave no Marker")
        digest = hashlib.sha256(marker.encode("utf-8", "replace")).digest()
        if digest in seen:
            raise CleanupStopped(f"ListUsers gave a Marker it had given before, after {page} pages (a cycle)")
        seen.add(digest)
    raise CleanupStopped(f"ListUsers still had more users after {CLEANUP_PAGE_LIMIT} pages")


def sweep_run(client: IamClient, run_id: str) -> list[str]:
    """Delete what is left under one run's own paths (/iam-conformance/<run id>-<worker>/), bounded as every
    cleanup is; the problems (never raises)."""
    cleanup = Cleanup(client, f"{SUITE_PATH}{run_id}-*/")
    cleanup.run(Leftover(name) for name in suite_users(cleanup, f"{SUITE_PATH}{run_id}-"))
    return cleanup.problems


def sweep_leftovers(client: IamClient) -> tuple[list[str], list[str]]:
    """`iam-conformance cleanup`: delete every suite user left under /iam-conformance/ by earlier runs.

    Returns the users deleted (as far as the target said) and the problems; never raises."""
    cleanup = Cleanup(client, SUITE_PATH)
    cleanup.run(Leftover(name) for name in suite_users(cleanup, SUITE_PATH))
    return cleanup.deleted, cleanup.problems


@dataclass(frozen=True)
class _Holding:
    """One kind of thing a user holds that must go before the user can: how to list it and delete it."""

    kind: str  # as in SeededUser.may_hold
    list_action: str
    list_element: str  # the element of the list result whose members name the things
    member_id: Callable[[etree._Element], str | None]
    delete_action: str
    id_parameter: str
    label: str


_HOLDINGS = (
    _Holding(
        "certificates",
        "ListSigningCertificates",
        "Certificates",
        lambda m: text(child(m, "CertificateId")),
        "DeleteSigningCertificate",
        "CertificateId",
        "certificate",
    ),
    _Holding(
        "access_keys",
        "ListAccessKeys",
        "AccessKeyMetadata",
        lambda m: text(child(m, "AccessKeyId")),
        "DeleteAccessKey",
        "AccessKeyId",
        "access key",
    ),
    _Holding("policies", "ListUserPolicies", "PolicyNames", text, "DeleteUserPolicy", "PolicyName", "policy"),
)


HOLDING_KINDS = frozenset(holding.kind for holding in _HOLDINGS)


@dataclass
class Leftover:
    """A suite user found on the target, not made by this process: it may hold anything, and nothing is recorded."""

    name: str
    may_hold: frozenset[str] = HOLDING_KINDS

    def recorded(self, kind: str) -> list[str]:
        return []


def delete_user(cleanup: Cleanup, user: SuiteUser) -> bool:
    """Delete a suite user's certificates, access keys and policies, then the user: whether the user is gone.
    Refusals become the cleanup's problems."""
    name = user.name
    pace = cleanup.client.pace

    def held(holding: _Holding) -> list[tuple[_Holding, str]]:
        # What the run recorded plus what the target lists (a target that under-lists must not leave leftovers),
        # listed only for the kinds the user may hold: a user the Seeder made without keys needs no ListAccessKeys.
        # One listing: a suite user holds a handful (IAM lists 100); more is a target's problem, shown as one.
        things: list[str | None] = list(user.recorded(holding.kind))
        if holding.kind in user.may_hold:
            listed = result_element(cleanup.call(holding.list_action, {"UserName": name}), holding.list_action)
            things += [holding.member_id(m) for m in children(child(listed, holding.list_element), "member")]
        # IAM's ids and policy names are at most 128 characters: a longer one listed is none the suite made.
        return [(holding, thing) for thing in dict.fromkeys(t for t in things if t and len(t) <= 128)]

    def remove(what: tuple[_Holding, str]) -> None:
        holding, thing = what
        done = cleanup.call(holding.delete_action, {"UserName": name, holding.id_parameter: thing})
        if done.status not in (200, 404):
            cleanup.problem(f"{holding.label} {thing} of {name}: HTTP {done.status}")

    # The listings side by side, then every deletion side by side, then the user: the only order IAM needs.
    overlapped(pace, remove, [what for found in overlapped(pace, held, _HOLDINGS) for what in found])
    done = cleanup.call("DeleteUser", {"UserName": name})
    if done.status not in (200, 404):
        cleanup.problem(f"user {name}: HTTP {done.status}")
        return False
    return True
