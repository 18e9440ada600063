"""Safe against a real account, robust against a hostile endpoint: each over real sockets on loopback."""

import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from support.hostile import BODIES, HostileServer

from conformance.reference import Flavour, IamError, ReferenceApp, ReferenceServer


def no_traceback(run) -> None:
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("mode", sorted(BODIES))
def test_a_broken_target_is_reported_not_crashed_on(mode, run_cli, root_credentials_env):
    """It answers the preflight as IAM, then only that body (one answering so from the start is no IAM at all:
    test_not_a_run.py)."""
    with HostileServer(f"{mode}-after-preflight") as server:
        started = time.monotonic()
        run = run_cli(
            "run", "--endpoint-url", server.url, "--profile", "quick", "--deadline", "60", env=root_credentials_env
        )
    # Nothing can be set up on such a target, and what it did answer deviates: nonconformant (exit 1), the set-up
    # that could not be done listed beside it, and not one requirement passed on nothing.
    assert run.code == 1, run.stdout[-2000:] + run.stderr[-2000:]
    no_traceback(run)
    assert time.monotonic() - started < 90
    failed = [r for r in run.summary["requirements"] if r["status"] == "failed"]
    assert failed and run.summary["verdict"] == "nonconformant" and run.summary["gate"] == "fail"
    assert run.summary["incomplete_reasons"] and "also incomplete" in run.stdout.splitlines()[-1]
    assert [r["id"] for r in run.summary["requirements"] if r["status"] == "passed"] == []
    excerpts = [
        f["evidence"]["response"]["body_excerpt"]
        for r in failed
        for f in r["failures"]
        if f["evidence"] and "response" in f["evidence"]
    ]
    assert excerpts and all(len(e) <= 2000 for e in excerpts)  # an excerpt, never the whole body


def test_a_target_that_stops_answering_ends_the_run_in_bounded_time(run_cli, root_credentials_env):
    with HostileServer("silent-after-preflight") as server:
        started = time.monotonic()
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--deadline",
            "8",
            env=root_credentials_env,
            timeout=120,
        )
    elapsed = time.monotonic() - started
    assert run.code == 2 and elapsed < 60, (elapsed, run.stdout[-1500:])
    no_traceback(run)
    assert run.summary["aborted"] and run.summary["verdict"] == "incomplete"
    assert "INCOMPLETE: the run's deadline passed" in run.stdout or "INCOMPLETE: target stopped answering" in run.stdout


def test_a_target_unreachable_from_the_start_exits_2(run_cli, root_credentials_env):
    with HostileServer("silent-after-preflight") as server:
        server.calls = 1  # even the first call gets no answer
        run = run_cli("run", "--endpoint-url", server.url, "--deadline", "5", env=root_credentials_env, timeout=120)
    assert (
        run.code == 2
        and run.stderr == f"iam-conformance: could not run: cannot reach {server.url}: timed out after 5 s\n"
    )
    no_traceback(run)


class EchoesSecrets(ReferenceApp):
    """Hostile: every error message repeats the root secret and every access-key secret it has issued."""

    issued: list[str] = []

    def action_CreateAccessKey(self, caller, p):
        nodes = super().action_CreateAccessKey(caller, p)
        self.issued.extend(k.secret for k in self.store.access_keys.values())
        return nodes

    def handle(self, request, request_id):
        from conformance.reference import ROOT_SECRET_KEY

        try:
            return super().handle(request, request_id)
        except IamError as error:
            echoed = f"{error.message} {ROOT_SECRET_KEY} {' '.join(self.issued)}"
            # ... and a deviation (400 for NoSuchEntity), so failures carry these bodies into every report.
            raise IamError(400 if error.code == "NoSuchEntity" else error.status, error.code, echoed) from None


def test_no_secret_reaches_the_console_or_any_report(run_cli, root_credentials_env):
    app = EchoesSecrets(Flavour())
    with ReferenceServer(app=app) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", "--allure", env=root_credentials_env)
    secrets = [root_credentials_env["AWS_SECRET_ACCESS_KEY"], *app.issued]
    assert len(secrets) >= 2 and run.code == 1 and run.statuses()["ERR-01"] == "failed"
    outputs = [
        run.stdout,
        run.stderr,
        *(p.read_text(errors="replace") for p in run.report_dir.rglob("*") if p.is_file()),
    ]
    assert len(outputs) > 10
    assert any(p.name.endswith("-result.json") for p in (run.report_dir / "allure-results").iterdir())
    for secret in secrets:
        assert not any(secret in output for output in outputs), "a secret leaked"
    assert any("(redacted)" in output for output in outputs)  # the echoes were there, and were masked


class CountsCreations(ReferenceApp):
    creations = 0

    def action_CreateUser(self, caller, p):
        type(self).creations += 1
        return super().action_CreateUser(caller, p)


def test_read_only_creates_nothing_and_still_judges_what_it_can(run_cli, root_credentials_env):
    with ReferenceServer(app=CountsCreations(Flavour())) as server:
        run = run_cli(
            "run", "--endpoint-url", server.url, "--profile", "quick", "--read-only", env=root_credentials_env
        )
    assert run.code == 0 and CountsCreations.creations == 0
    statuses = run.statuses()
    assert {statuses[i] for i in ("PARAM-04", "PARAM-05", "ERR-01", "AUTH-01", "AUTH-03")} == {"passed"}
    assert statuses["PAG-01"] == "skipped"


def test_real_aws_needs_an_explicit_opt_in_before_anything_is_sent(run_cli, root_credentials_env):
    run = run_cli("run", "--endpoint-url", "https://iam.amazonaws.com/", env=root_credentials_env, timeout=60)
    assert run.code == 2 and "--allow-writes" in run.stdout + run.stderr and "--read-only" in run.stdout + run.stderr
    no_traceback(run)


def test_cleanup_sweeps_only_the_suites_own_leftovers(root_credentials_env):
    with ReferenceServer() as server:
        store = server.store
        leftover = store.create_user("ic-deadbeef-gw0-two", "/iam-conformance/deadbeef-gw0/")
        store.create_access_key(leftover)
        for name, path in (
            ("bob", "/iam-conformance/deadbeef-gw0/"),
            ("ic-mine", "/"),
            ("ic-other", "/iam-conformance-other/deadbeef-gw0/"),
            ("ic-x", "/iam-conformance/"),
        ):
            store.create_user(name, path)
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "cleanup", "--endpoint-url", server.url],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ | root_credentials_env,
        )
        remaining = sorted(u.name for u in store.list_users("/") if not u.root)
    assert done.returncode == 0, done.stderr
    assert "deleted ic-deadbeef-gw0-two" in done.stdout
    assert remaining == ["bob", "ic-mine", "ic-other", "ic-x"]


class Slow(ReferenceApp):
    def handle(self, request, request_id):
        time.sleep(0.05)
        return super().handle(request, request_id)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_still_deletes_what_it_created(signum, root_credentials_env, tmp_path):
    with ReferenceServer(app=Slow(Flavour())) as server:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "run",
                "--endpoint-url",
                server.url,
                "--profile",
                "quick",
                "--report-dir",
                str(tmp_path),
            ],
            env=os.environ | root_credentials_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not server.store.list_users("/iam-conformance/") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.store.list_users("/iam-conformance/"), "the run never created anything"
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
        leftovers = [u.name for u in server.store.list_users("/iam-conformance/")]
    assert process.returncode == 2 and leftovers == []
    assert "Traceback" not in stdout + stderr


class Throttles(ReferenceApp):
    """Every seventh request is throttled, and new users stay invisible to uploads for half a second."""

    def handle(self, request, request_id):
        if self.requests_served % 7 == 0:
            raise IamError(400, "Throttling", "Rate exceeded")
        return super().handle(request, request_id)

    def action_UploadSigningCertificate(self, caller, p):
        user = self.store.users.get(p.get("UserName", "").lower())
        if user is not None and (time.time() - user.created.timestamp()) < 0.5:
            raise IamError(404, "NoSuchEntity", f"The user with name {user.name} cannot be found.")
        return super().action_UploadSigningCertificate(caller, p)


def test_throttling_and_eventual_consistency_are_waited_out_and_reported(run_cli, root_credentials_env):
    with ReferenceServer(app=Throttles(Flavour())) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", env=root_credentials_env)
    summary = run.summary
    assert run.code == 0, run.stdout[-2000:]
    assert summary["retries"] > 5 and summary["retry_log"][0]["code"] == "Throttling"
    # Only uploads to a just-created user are refused (NoSuchEntity): those, and nothing else, are waits.
    assert summary["consistency_waits"]
    assert all("for new user" in wait["what"] for wait in summary["consistency_waits"]), summary["consistency_waits"]
    assert (
        "retries (Throttling/503)" in run.stdout and "Retries and waits" in (run.report_dir / "report.html").read_text()
    )


def test_two_runs_at_once_against_one_target_do_not_interfere(root_credentials_env, tmp_path):
    with ReferenceServer() as server:

        def run(name):
            return subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "conformance.cli",
                    "run",
                    "--endpoint-url",
                    server.url,
                    "--profile",
                    "quick",
                    "--report-dir",
                    str(tmp_path / name),
                ],
                capture_output=True,
                text=True,
                env=os.environ | root_credentials_env,
                timeout=300,
            )

        results = {}
        threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, run(n))) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        leftovers = server.store.list_users("/iam-conformance/")
    assert [results[n].returncode for n in ("a", "b")] == [0, 0], (
        results["a"].stdout[-1500:] + results["b"].stdout[-1500:]
    )
    assert leftovers == []


def test_repeated_runs_with_fresh_seeds_give_one_verdict(capsys):
    from conformance.selftest.determinism import main

    assert main(["--runs", "2"]) == 0
    assert "determinism: 2 runs, identical verdicts: 2 conformant" in capsys.readouterr().out


class RecordsRequests(ReferenceApp):
    """The reference, noting each request's parameters with what varies between runs by design made alike: the run
    id in names and paths, the markers, certificate and access key ids the target issued, fresh certificate bodies."""

    def __init__(self) -> None:
        super().__init__(Flavour())
        self.seen: list[tuple] = []
        self.issued: set[str] = set()

    def handle(self, request, request_id):
        try:
            self.seen.append(self.read_params(request, request.get_data(cache=True)))
        except IamError:
            self.seen.append({"unreadable": "parameters"})
        body = super().handle(request, request_id)  # errors raise past here: they issue nothing
        self.issued.update(re.findall(rb"<(?:Marker|CertificateId|AccessKeyId)>([^<]*)<", body))
        return body

    def normalised(self) -> collections.Counter:
        issued = {value.decode() for value in self.issued}
        alike = {"CertificateBody": "body", "PolicyDocument": "policy"}
        run_id = re.search(r"ic-([0-9a-f]{8})-", repr(self.seen))[1]

        def value(key, text):
            if key in alike:
                return alike[key]
            if text in issued:
                return "issued"
            for marker in issued if key == "Marker" else ():  # a real Marker altered on purpose (ERR-04, PARAM-07)
                if text.startswith(marker):
                    return "issued" + text[len(marker) :]
                if len(text) == len(marker) and sum(a != b for a, b in zip(text, marker, strict=True)) == 1:
                    return "issued, one character changed"
            return re.sub(re.escape(run_id), "RUN", text, flags=re.IGNORECASE)  # a name in capitals too (PARAM-11)

        return collections.Counter(tuple(sorted((k, value(k, v)) for k, v in params.items())) for params in self.seen)


def test_the_same_seed_sends_the_same_requests_whatever_the_overlap(run_cli, root_credentials_env):
    runs = []
    for concurrency in ("8", "8", "1"):
        with ReferenceServer(app=RecordsRequests()) as server:
            run = run_cli(
                "run",
                "--endpoint-url",
                server.url,
                "--seed",
                "11",
                "--max-concurrency",
                concurrency,
                env=root_credentials_env,
            )
        assert run.code == 0, run.stdout[-2000:]
        runs.append((server.app.normalised(), run.summary["request_count"]))
    (first, count), (again, _), (one_at_a_time, _) = runs
    assert sum(first.values()) == count
    assert first == again, first - again | again - first
    assert first == one_at_a_time, first - one_at_a_time | one_at_a_time - first


def test_in_ci_the_run_uses_seed_0_unless_given_one_and_the_seed_decides(run_cli, root_credentials_env):
    """Hypothesis' own CI profile derandomizes, which would make every seed draw alike: the run's seed must win."""
    sent = {}
    for seed in (None, "0", "1"):
        with ReferenceServer(app=RecordsRequests()) as server:
            run = run_cli(
                "run",
                "--endpoint-url",
                server.url,
                "--profile",
                "quick",
                *(("--seed", seed) if seed else ()),
                env=root_credentials_env | {"CI": "true"},
            )
        assert run.code == 0, run.stdout[-2000:]
        assert run.summary["hypothesis_seed"] == (seed or "0")
        assert ("Hypothesis seed 0 (CI is set" in run.stdout) == (seed is None)
        sent[seed] = server.app.normalised()
    assert sent[None] == sent["0"] and sent["0"] != sent["1"]
