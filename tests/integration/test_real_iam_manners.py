"""No false alarm on real IAM's manners (issue 13): the whole CLI against the reference on loopback, with a role's
temporary credentials, with listings that lag behind writes, and under the README's least-privilege policy, in each
mode the suite has. Targets that stay stale for good must still be caught.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.checks.observations import UploadedCertificate
from conformance.reference import ACCOUNT_ID, ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceApp, ReferenceServer, Store
from conformance.reference.policy import allows
from conformance.selftest.faults import by_name
from conformance.selftest.runner import fault_verdict, run_suite
from conformance.world import seeding
from conformance.world.seeding import RecentWrites, SeededUser, Seeder

ROOT = Path(__file__).resolve().parents[2]
README_ACCOUNT = "111122223333"
READ_ONLY_SID = "ListCertificatesOfAnyNameIncludingAbsentOnes"


def readme_policy() -> dict:
    """The least-privilege policy of docs/targets.md's "Real AWS" section, for the reference's account."""
    section = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8").split("## Real AWS", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = re.findall(r"```json\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the section holds exactly one JSON policy"
    return json.loads(blocks[0].replace(README_ACCOUNT, ACCOUNT_ID))


def read_only_statement() -> dict:
    policy = readme_policy()
    return {**policy, "Statement": [s for s in policy["Statement"] if s.get("Sid") == READ_ONLY_SID]}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report_dir: Path
    app: ReferenceApp
    caller_arn: str

    @property
    def summary(self) -> dict:
        return json.loads((self.report_dir / "summary.json").read_text(encoding="utf-8"))

    def rows(self) -> dict[str, dict]:
        return {row["id"]: row for row in self.summary["requirements"]}

    def sent(self) -> Counter:
        """(iam:Action, resource ARN, allowed) -> count, of what the run's own credentials sent."""
        return Counter({k[1:]: n for k, n in self.app.call_counts.items() if k[0] == self.caller_arn})


def cli(app: ReferenceApp, env: dict[str, str], report_dir: Path, *args: str, command: str = "run") -> tuple:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | env | {"CI": "1"}
    with ReferenceServer(app=app) as server:
        extra = ("--report-dir", str(report_dir), "--profile", "quick") if command == "run" else ()
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", command, "--endpoint-url", server.url, *extra, *args],
            capture_output=True,
            text=True,
            env=clean,
            timeout=300,
        )
    return done.returncode, done.stdout, done.stderr


def policy_user(store: Store, document: dict) -> tuple[dict[str, str], str]:
    """A user `ci` holding `document` as its only policy: (environment with its keys, its ARN)."""
    ci = store.create_user("ci")
    store.put_user_policy(ci, "from-readme", json.dumps(document))
    key = store.create_access_key(ci)
    return {"AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": key.secret}, ci.arn


def run_as(tmp: Path, store: Store, env: dict[str, str], caller_arn: str, *args: str) -> Run:
    app = ReferenceApp(store=store)
    code, out, err = cli(app, env, tmp / "reports", *args)
    return Run(code, out, err, tmp / "reports", app, caller_arn)


def all_passed(run: Run) -> None:
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.summary["verdict"] == "conformant"
    assert {i: r["status"] for i, r in run.rows().items() if r["status"] != "passed"} == {}


# -- temporary credentials of a role ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def role_run(tmp_path_factory) -> tuple[Run, str]:
    store = Store()
    issued = store.issue_session()
    env = {
        "AWS_ACCESS_KEY_ID": issued.access_key_id,
        "AWS_SECRET_ACCESS_KEY": issued.secret,
        "AWS_SESSION_TOKEN": issued.token,
    }
    return run_as(tmp_path_factory.mktemp("role"), store, env, issued.principal.arn), issued.token


def test_a_role_caller_is_conformant_with_every_requirement_judged(role_run):
    run, _ = role_run
    all_passed(run)
    assert all(row["test_results"] and all(t["judged"] for t in row["test_results"]) for row in run.rows().values())


def test_the_run_says_it_ran_with_temporary_credentials(role_run):
    run, token = role_run
    assert "temporary credentials with a session token" in run.summary["caller"]
    assert f"as {run.summary['caller']}" in run.stdout
    assert "temporary credentials" in (run.report_dir / "report.html").read_text(encoding="utf-8")
    outputs = [run.stdout, run.stderr] + [
        p.read_text(errors="replace") for p in run.report_dir.rglob("*") if p.is_file()
    ]
    assert not any(token[:24] in text for text in outputs)


def test_a_role_caller_never_relies_on_an_implicit_user(role_run):
    run, _ = role_run
    # A call about the caller itself (UserName omitted) is at most PARAM-08's drawn parameters, which the reference
    # answers with the recorded ValidationError, and the one GetUser that asks who the caller is: everything that
    # needs a user (ID-01, PAG-10) signs as a created one.
    role_arn = run.caller_arn
    own = {(action, allowed) for (action, resource, allowed) in run.sent() if resource == role_arn}
    assert own <= {("iam:ListSigningCertificates", True), ("iam:GetUser", True)}


# -- eventual consistency ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lagging_run(tmp_path_factory) -> Run:
    env = {"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY}
    return run_as(tmp_path_factory.mktemp("lag"), Store(consistency_lag_s=1.5), env, "")


def test_listings_that_lag_behind_writes_are_waited_for_and_conformant(lagging_run):
    all_passed(lagging_run)


def test_each_wait_is_reported_in_the_summary_the_console_and_the_html(lagging_run):
    waits = lagging_run.summary["consistency_waits"]
    assert waits and all(w["what"] and w["seconds"] > 0 for w in waits)
    listings = [w for w in waits if w["what"].startswith("listing of ic-")]
    kinds = {w["what"].split(" to show its ")[1].split(" ")[0] for w in listings}
    assert {"creation", "upload", "status", "deletion"} <= kinds
    total = sum(w["seconds"] for w in waits)
    assert f"{total:.1f} s waiting for IAM to catch up ({len(waits)} waits)" in lagging_run.stdout
    html = (lagging_run.report_dir / "report.html").read_text(encoding="utf-8")
    assert all(f"waited {w['seconds']} s: {w['what']}" in html for w in waits)


@pytest.mark.parametrize(
    "name", ["status_change_never_listed", "delete_never_listed", "upload_never_listed", "lags_beyond_the_bound"]
)
def test_a_listing_that_never_catches_up_is_still_caught(name, tmp_path):
    fault = by_name(name)
    result = run_suite(name, fault.build, tmp_path / "reports", suite_args=fault.suite_args)
    caught, account = fault_verdict(fault, result)
    assert caught and fault.primary in result.failed, account
    waits = json.loads((tmp_path / "reports" / "summary.json").read_text())["consistency_waits"]
    assert any("still showed an earlier state" in w["what"] for w in waits), waits


# -- the Seeder's side: when it lists again, and for how long ----------------------------------------------------------
class FakeTime:
    """Stands in for the time module inside conformance.world.seeding: sleeping turns the clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def seeder_at(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(seeding, "time", clock)
    made = Seeder(client=None, run_id="00000000-gw")  # settle() sends nothing itself
    user = SeededUser("u", [UploadedCertificate("A", "pem"), UploadedCertificate("B", "pem", status="Inactive")])
    made.users.append(user)
    made.recent["u"] = RecentWrites(
        [{"A": "Active"}, {"A": "Active", "B": "Active"}, {"A": "Active", "B": "Inactive"}],
        last_at=0.0,
        last_what="status change of B",
    )
    return made, clock


def listings(*shown: dict):
    answers = list(shown)
    calls = []

    def listing():
        calls.append(answers[min(len(calls), len(answers) - 1)])
        return calls[-1]

    return listing, calls


def test_a_listing_that_already_shows_the_last_write_is_not_repeated(seeder_at):
    seeder, _ = seeder_at
    listing, calls = listings({"A": "Active", "B": "Inactive"})
    assert seeder.settle("u", listing, lambda shown: shown) == {"A": "Active", "B": "Inactive"}
    assert len(calls) == 1 and seeder.waits == []


def test_an_earlier_state_is_listed_again_until_the_last_write_shows(seeder_at):
    seeder, clock = seeder_at
    listing, calls = listings({"A": "Active"}, {"A": "Active", "B": "Active"}, {"A": "Active", "B": "Inactive"})
    assert seeder.settle("u", listing, lambda shown: shown) == {"A": "Active", "B": "Inactive"}
    assert len(calls) == 3
    assert seeder.waits == [{"what": "listing of u to show its status change of B (3 listings)", "seconds": 1.5}]


@pytest.mark.parametrize("unexplained", [{"A": "Inactive", "B": "Inactive"}, {"C": "Active"}, None])
def test_what_no_lag_explains_is_judged_at_once(seeder_at, unexplained):
    seeder, _ = seeder_at
    listing, calls = listings(unexplained)
    seeder.settle("u", listing, lambda shown: shown)
    assert len(calls) == 1 and seeder.waits == []


def test_a_state_that_never_converges_is_judged_after_the_bound_and_later_listings_are_not_waited_for(seeder_at):
    seeder, clock = seeder_at
    listing, calls = listings({"A": "Active", "B": "Active"})
    seeder.settle("u", listing, lambda shown: shown)
    assert clock.now == pytest.approx(seeding.CONVERGENCE_WAIT_S)
    assert 3 <= len(calls) <= 8  # backing off: a retry costs requests
    assert "still showed an earlier state" in seeder.waits[-1]["what"] and seeder.stopped_waiting
    again, calls_again = listings({"A": "Active", "B": "Active"})
    seeder.recent["u"].last_at = clock.now  # a fresh write: it would be waited for, had the target converged before
    seeder.settle("u", again, lambda shown: shown)
    assert len(calls_again) == 1


def test_writes_long_apart_start_a_new_history(seeder_at):
    seeder, clock = seeder_at
    user = seeder.users[0]
    clock.now = 100.0
    before = user.state()
    user.certificates.pop()
    seeder._wrote(user, "deletion of B", before)
    assert seeder.recent["u"].states == [{"A": "Active", "B": "Inactive"}, {"A": "Active"}]


# -- least privilege: the README's policy against what each mode sends -------------------------------------------
@pytest.fixture(scope="module")
def write_run(tmp_path_factory) -> Run:
    store = Store(enforce_policies=True)
    env, arn = policy_user(store, readme_policy())
    return run_as(tmp_path_factory.mktemp("write"), store, env, arn)


@pytest.fixture(scope="module")
def read_only_run(tmp_path_factory) -> Run:
    store = Store(enforce_policies=True)
    env, arn = policy_user(store, read_only_statement())
    return run_as(tmp_path_factory.mktemp("read-only"), store, env, arn, "--read-only")


@pytest.fixture(scope="module")
def cleanup_run(tmp_path_factory) -> Run:
    """`iam-conformance cleanup` under the README policy, with a leftover of a killed run to delete."""
    store = Store(enforce_policies=True)
    env, arn = policy_user(store, readme_policy())
    leftover = store.create_user("ic-0badc0de-gw-two", "/iam-conformance/0badc0de-gw/")
    store.upload_certificate(leftover, "body", b"der")
    app = ReferenceApp(store=store)
    code, out, err = cli(app, env, Path(), command="cleanup")
    assert code == 0 and "1 users under /iam-conformance/ swept, 0 problems" in out, out + err
    return Run(code, out, err, Path(), app, arn)


def ungranted(run: Run, policy: dict) -> list[str]:
    document = json.dumps(policy)
    return sorted(
        {f"{action} on {resource}" for (action, resource, _) in run.sent() if not allows([document], action, resource)}
    )


def test_a_write_run_under_the_readme_policy_is_conformant_and_sends_only_what_it_grants(write_run):
    all_passed(write_run)
    assert ungranted(write_run, readme_policy()) == [], "the suite sends actions the README does not grant"
    assert not [key for key in write_run.sent() if not key[2]]  # nothing was denied


def test_a_read_only_run_under_the_read_only_statement_is_conformant_and_says_what_it_skipped(read_only_run):
    run = read_only_run
    assert run.code == 0 and run.summary["verdict"] == "conformant", run.stdout[-3000:] + run.stderr[-2000:]
    assert ungranted(run, read_only_statement()) == [], "--read-only sends actions its statement does not grant"
    assert {action for action, _, _ in run.sent()} == {"iam:ListSigningCertificates"}
    rows = run.rows()
    skipped = [i for i, row in rows.items() if row["status"] == "skipped"]
    assert skipped and all("--read-only" in rows[i]["reason"] for i in skipped)
    assert {row["status"] for row in rows.values()} == {"passed", "skipped"}
    said = " ".join(line.strip() for line in run.stdout.splitlines())
    assert "skipped (creates IAM users; skipped by --read-only)" in said
    assert all(requirement_id in said for requirement_id in skipped)


def test_the_readme_grants_nothing_that_no_mode_sends(write_run, read_only_run, cleanup_run):
    sent = {action for run in (write_run, read_only_run, cleanup_run) for action, _, allowed in run.sent() if allowed}
    granted = {
        action
        for statement in readme_policy()["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert granted == sent, (
        f"granted but never sent: {sorted(granted - sent)}; sent but not granted: {sorted(sent - granted)}"
    )
    print("actions sent, by mode:")
    for mode, run in (("write", write_run), ("--read-only", read_only_run), ("cleanup", cleanup_run)):
        print(f"  {mode}: {', '.join(sorted({action for action, _, _ in run.sent()}))}")
