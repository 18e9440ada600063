"""Hostile targets on loopback, through the command line: each run ends within its deadline plus a bounded grace,
with exit 1 or 2, no traceback, bounded memory, and nothing secret repeated."""

from __future__ import annotations

import time

import pytest
from support.cli import DEADLINE_S, GRACE_S, assert_bounded_and_clean, cleanup_against, run_against
from support.hostile import LIST_MODES, SUITE_USER_PATH, HostileServer
from support.hostile_iam import RedirectsCleanup

from conformance.reference import ROOT_SECRET_KEY, Flavour, IamError, ReferenceApp, ReferenceServer
from conformance.reference.render import branch, leaf, listing
from conformance.world.cleanup import CLEANUP_PAGE_LIMIT, CLEANUP_REQUEST_LIMIT

PASSWORD = "hunter2-pa55word-in-the-url"


@pytest.mark.parametrize("mode", ["slow-body", "slow-head"])
def test_a_target_that_drips_its_first_answer_ends_the_run_at_the_deadline(mode, root_credentials_env, tmp_path):
    with HostileServer(mode) as server:
        done = run_against(server.url, root_credentials_env, tmp_path, timeout=DEADLINE_S + 2 * GRACE_S)
    assert_bounded_and_clean(done, DEADLINE_S + GRACE_S)
    assert done.code == 2 and f"cannot reach {server.url}: timed out after" in done.stderr and server.calls == 1


@pytest.mark.parametrize("mode", ["slow-body-after-preflight", "slow-head-after-preflight"])
def test_a_target_that_drips_later_answers_ends_the_run_and_its_cleanup_in_bounded_time(
    mode, root_credentials_env, tmp_path
):
    with HostileServer(mode) as server:
        done = run_against(server.url, root_credentials_env, tmp_path, timeout=DEADLINE_S + 2 * GRACE_S)
    assert_bounded_and_clean(done, DEADLINE_S + GRACE_S)
    assert done.code == 2 and "INCOMPLETE:" in done.stdout and "verdict: incomplete" in done.stdout
    assert "cleanup stopped" in done.stdout and "iam-conformance cleanup" in done.stdout


def test_sigterm_during_a_dripping_answer_still_ends_with_a_bounded_cleanup(root_credentials_env, tmp_path):
    with HostileServer("slow-body-after-preflight") as server:
        dripping_since: list[float] = []

        def dripping_for_a_second() -> bool:  # the preflight was answered and the next call is being dripped
            if server.calls >= 2 and not dripping_since:
                dripping_since.append(time.monotonic())
            return bool(dripping_since) and time.monotonic() - dripping_since[0] > 1

        # Calls overlapped (this target answers fast: the run would otherwise send one at a time), so that users
        # are being created, their answers dripped too, when the signal comes.
        done = run_against(
            server.url,
            root_credentials_env,
            tmp_path,
            "--max-concurrency",
            "8",
            deadline_s=600,
            interrupt_when=dripping_for_a_second,
            timeout=3 * GRACE_S,
        )
    # After the signal the dripping calls are abandoned, and cleanup gets one call's budget (30 s) before it is given
    # up; the run's --deadline 600 plays no part.
    assert dripping_since and server.calls >= 3 and "CreateUser" in server.actions
    assert_bounded_and_clean(done, 2 * GRACE_S)
    assert time.monotonic() - dripping_since[0] < GRACE_S
    assert done.code == 2


@pytest.mark.parametrize(
    "mode,reason",
    [
        ("fresh-markers", f"still had more users after {CLEANUP_PAGE_LIMIT} pages"),
        ("marker-cycle", "a Marker it had given before"),
        ("crowded", f"its bound of {CLEANUP_REQUEST_LIMIT} requests"),
    ],
)
def test_cleanup_against_an_endless_listing_stops_and_says_what_is_left(mode, reason, root_credentials_env):
    assert mode in LIST_MODES
    with HostileServer(mode) as server:
        done = cleanup_against(server.url, root_credentials_env)
    assert_bounded_and_clean(done, GRACE_S)
    assert done.code == 1 and reason in done.stderr and "run `iam-conformance cleanup`" in done.stderr
    assert server.list_pages <= CLEANUP_PAGE_LIMIT and server.calls <= CLEANUP_REQUEST_LIMIT
    if mode == "crowded":  # 500 matching users a page: deleted as listed, so memory stays flat (3 GB before)
        assert done.stdout.count("deleted ic-deadbeef-gw0-") > 500


@pytest.mark.parametrize("command", ["run", "cleanup"])
def test_credentials_in_the_endpoint_url_are_refused_and_never_repeated(command, root_credentials_env, tmp_path):
    with HostileServer("garbage") as server:
        url = server.url.replace("http://", f"http://someone:{PASSWORD}@")
        if command == "run":
            done = run_against(url, root_credentials_env, tmp_path, timeout=GRACE_S)
        else:
            done = cleanup_against(url, root_credentials_env, timeout=GRACE_S)
    assert_bounded_and_clean(done, GRACE_S)
    assert done.code == 2 and "user-info" in done.stderr and server.calls == 0
    assert PASSWORD not in done.output
    written = [p.read_text(errors="replace") for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert not any(PASSWORD in text for text in written)


def test_a_query_string_in_the_endpoint_is_refused(root_credentials_env, tmp_path):
    with HostileServer("garbage") as server:
        done = run_against(server.url + "?X-Amz-Security-Token=abc", root_credentials_env, tmp_path, timeout=GRACE_S)
    assert_bounded_and_clean(done, GRACE_S)
    assert done.code == 2 and "query string" in done.stderr and server.calls == 0


def iam_hostnames_of_every_partition() -> list[str]:
    """Read from botocore's data here, not from the code under test: plain, FIPS and dual-stack per partition."""
    from botocore.loaders import create_loader

    found = set()
    for partition in create_loader().load_data("endpoints")["partitions"]:
        for entry in partition["services"].get("iam", {}).get("endpoints", {}).values():
            found.update(v["hostname"] for v in [entry, *entry.get("variants", [])] if "hostname" in v)
    return sorted(found)


@pytest.mark.parametrize("host", iam_hostnames_of_every_partition())
def test_every_aws_iam_endpoint_needs_an_explicit_choice_before_any_request(host, root_credentials_env, tmp_path):
    done = run_against(f"https://{host}/", root_credentials_env, tmp_path, timeout=GRACE_S)
    assert_bounded_and_clean(done, GRACE_S)
    # Loopback only here: had a request been tried, the reason would be an unreachable target instead.
    assert done.code == 2 and "--allow-writes" in done.output and "--read-only" in done.output
    assert "unreachable" not in done.output


@pytest.mark.parametrize("mode,reason", [("fresh-markers", "more users after"), ("marker-cycle", "(a cycle)")])
def test_a_runs_own_cleanup_against_an_endless_listing_stops_and_says_what_is_left(
    mode, reason, root_credentials_env, tmp_path
):
    with HostileServer(mode) as server:
        done = run_against(server.url, root_credentials_env, tmp_path, timeout=2 * GRACE_S)
    assert_bounded_and_clean(done, DEADLINE_S + GRACE_S)
    # An unfinished cleanup makes the run incomplete: what it left is named, with the command to finish. Exit 2,
    # unless the run also saw a deviation (this target answers little as IAM does): then exit 1, "also incomplete".
    last = done.stdout.strip().splitlines()[-1]
    deviated = "verdict: nonconformant" in last
    assert done.code == (1 if deviated else 2) and server.list_pages <= CLEANUP_PAGE_LIMIT, last
    assert "incomplete" in last
    assert "cleanup stopped" in done.stdout and reason in done.stdout and "iam-conformance cleanup" in done.stdout


class PagesUsersTwoAtATime(ReferenceApp):
    """Lists users two a page, and (as IAM might) refuses a Marker issued before a user was deleted."""

    deletions = 0

    def action_DeleteUser(self, caller, p):
        type(self).deletions += 1
        return super().action_DeleteUser(caller, p)

    def action_ListUsers(self, caller, p):
        users = self.store.list_users(p.get("PathPrefix", "/"))
        start = 0
        if "Marker" in p:
            issued_after, _, last = p["Marker"].partition(":")
            if int(issued_after) != self.deletions:
                raise IamError(400, "ValidationError", "Invalid Marker.")
            start = next(i for i, user in enumerate(users) if user.name == last) + 1
        page = users[start : start + 2]
        nodes = self.renderer.users_page(page)
        if start + 2 < len(users):
            nodes[1:] = [leaf("IsTruncated", "true"), leaf("Marker", f"{self.deletions}:{page[-1].name}")]
        return nodes


def test_cleanup_deletes_page_by_page_even_when_deleting_invalidates_the_marker(root_credentials_env):
    with ReferenceServer(app=PagesUsersTwoAtATime(Flavour())) as server:
        leftovers = [f"ic-deadbeef-gw0-{n}" for n in range(7)]
        for name in leftovers:
            server.store.create_access_key(server.store.create_user(name, SUITE_USER_PATH))
        for name, path in (("bob", SUITE_USER_PATH), ("ic-elsewhere", "/"), ("ic-x", "/iam-conformance/")):
            server.store.create_user(name, path)
        done = cleanup_against(server.url, root_credentials_env)
        remaining = sorted(u.name for u in server.store.list_users("/") if not u.root)
    assert done.code == 0, done.output
    assert remaining == ["bob", "ic-elsewhere", "ic-x"]
    assert all(f"deleted {name}" in done.stdout for name in leftovers)


class ListsTheSecretAsAKey(ReferenceApp):
    """Hostile: lists the caller's secret key, and a name that reorders and drives a terminal, as access key ids,
    and refuses to delete them, so that they end up among the cleanup's problems."""

    FAKE_IDS = (ROOT_SECRET_KEY, "AKIA\u202eevil\x9b2J")

    def action_ListAccessKeys(self, caller, p):
        return [
            listing("AccessKeyMetadata", [branch("member", leaf("AccessKeyId", key)) for key in self.FAKE_IDS]),
            leaf("IsTruncated", "false"),
        ]

    def action_DeleteAccessKey(self, caller, p):
        raise IamError(500, "ServiceFailure", "no")


def test_cleanup_problems_are_printed_redacted_and_neutralised(root_credentials_env):
    with ReferenceServer(app=ListsTheSecretAsAKey(Flavour())) as server:
        server.store.create_user("ic-deadbeef-gw0-one", SUITE_USER_PATH)
        done = cleanup_against(server.url, root_credentials_env)
    assert done.code == 1 and done.stderr.count("could not delete: access key") == 2
    assert ROOT_SECRET_KEY not in done.output and ROOT_SECRET_KEY[:16] not in done.output
    assert "\u202e" not in done.output and "\x9b" not in done.output and "\\u202eevil\\x9b2J" in done.stderr


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_cleanup_answered_with_redirects_stops_quietly_and_says_what_is_left(status, root_credentials_env):
    """The client follows no redirect; requests still read the redirect's cookies into the request's jar, which a
    request the suite prepared itself did not have: an AttributeError, a traceback, before."""
    app = RedirectsCleanup(status, flavour=Flavour())
    with ReferenceServer(app=app) as server:
        server.store.create_user("ic-deadbeef-gw0-one", SUITE_USER_PATH)
        done = cleanup_against(server.url, root_credentials_env)
    assert_bounded_and_clean(done, GRACE_S)
    assert done.code == 1 and f"ListUsers answered HTTP {status}, not a listing" in done.stderr
    assert "run `iam-conformance cleanup`" in done.stderr and app.redirected == 1


@pytest.mark.parametrize("mode", ["reset", "garbage", "html", "empty", "dtd"])
def test_cleanup_answered_with_resets_or_garbage_stops_quietly(mode, root_credentials_env):
    with HostileServer(mode) as server:
        done = cleanup_against(server.url, root_credentials_env)
    assert_bounded_and_clean(done, GRACE_S)
    assert done.code == 1 and "could not delete: cleanup stopped:" in done.stderr and done.stderr.count("\n") == 1


def test_a_runs_own_cleanup_under_redirects_is_bounded_and_says_what_is_left(root_credentials_env, tmp_path):
    app = RedirectsCleanup(302, flavour=Flavour())
    with ReferenceServer(app=app) as server:
        done = run_against(server.url, root_credentials_env, tmp_path, timeout=2 * GRACE_S)
        left = server.store.list_users("/iam-conformance/")
    assert_bounded_and_clean(done, DEADLINE_S + GRACE_S)
    assert done.code == 2 and left and "AttributeError" not in done.output
    assert "cleanup left behind: user ic-" in done.stdout and "HTTP 302" in done.stdout
    assert "iam-conformance cleanup" in done.stdout
