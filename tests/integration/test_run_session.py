"""One run, one owner: the verdict never says more than the run saw.

Interrupted, crashed, set up on a target offering nothing, or leaking through a worker: each case runs the real CLI
against a reference (or a hostile variant of it) on loopback and reads every output the run left.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from conformance.contract.spec import requirements
from conformance.reference import Flavour, IamError, ReferenceApp, ReferenceServer

PIECE = 16  # any run of this many characters of a secret counts as leaked


def outputs_of(run) -> list[str]:
    return [run.stdout, run.stderr, *(p.read_text(errors="replace") for p in run.report_dir.rglob("*") if p.is_file())]


def plugin_run_with(plugin: str, source: str, root_credentials_env, tmp_path: Path):
    """The suite in plugin mode against a reference, with a test-only pytest plugin `plugin` (its `source`) loaded:
    (the run, the users it left behind)."""
    from conftest import CliRun

    (tmp_path / f"{plugin}.py").write_text(source)
    path = os.pathsep.join(filter(None, (str(tmp_path), os.environ.get("PYTHONPATH"))))  # the plugin, then ours
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env
    with ReferenceServer() as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                plugin,
                "-p",
                "no:cacheprovider",
                "--pyargs",
                "conformance.suite",
                "--iam-conformance",
                "--iam-endpoint-url",
                server.url,
                "--iam-profile",
                "quick",
                "--iam-report-dir",
                str(tmp_path / "reports"),
            ],
            capture_output=True,
            text=True,
            env=env | {"PYTHONPATH": path},
            timeout=300,
            cwd=tmp_path,
        )
        leftovers = server.store.list_users("/iam-conformance/")
    return CliRun(done.returncode, done.stdout, done.stderr, tmp_path / "reports"), leftovers


def say_incomplete(run, why: str) -> None:
    """The run could not finish, and says why everywhere; its verdict is incomplete (exit 2) unless it also observed
    a deviation, which is the news: nonconformant (exit 1), the incompleteness listed beside it."""
    summary = run.summary
    deviated = any(r["status"] == "failed" for r in summary["requirements"])
    assert run.code == (1 if deviated else 2), run.stdout[-3000:] + run.stderr[-2000:]
    verdict = "nonconformant" if deviated else "incomplete"
    assert summary["verdict"] == verdict and summary["gate"] == "fail"
    assert any(why in reason for reason in summary["incomplete_reasons"]), summary["incomplete_reasons"]
    assert f"verdict: {verdict}" in run.stdout and "gate: pass" not in run.stdout
    html = (run.report_dir / "report.html").read_text()
    assert "incomplete" in html and why in html


# -- a target that offers nothing to judge ------------------------------------------------------------------------
class AnswersX(ReferenceApp):
    """An IAM to the preflight (the reference's own answer: the run starts), then HTTP 200 <x/> to every request,
    whatever it asks. (Answering so from the start is no IAM at all: test_not_a_run.py.)"""

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if b"-preflight-absent" in body:
            return super().__call__(environ, start_response)
        return Response(b"<x/>", status=200, content_type="text/xml")(environ, start_response)


@pytest.fixture(scope="module")
def run_on_nothing(tmp_path_factory, root_credentials_env):
    from conftest import CliRun

    report_dir = tmp_path_factory.mktemp("nothing") / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env
    with ReferenceServer(app=AnswersX(Flavour())) as server:
        done = subprocess.run(
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
                str(report_dir),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    return CliRun(done.returncode, done.stdout, done.stderr, report_dir)


def test_a_target_answering_x_to_everything_is_not_conformant(run_on_nothing):
    assert run_on_nothing.code != 0 and run_on_nothing.summary["verdict"] != "conformant"


@pytest.mark.parametrize("requirement_id", sorted(requirements()))
def test_no_requirement_passes_on_a_target_that_offers_nothing_to_judge(requirement_id, run_on_nothing):
    row = next(r for r in run_on_nothing.summary["requirements"] if r["id"] == requirement_id)
    assert row["status"] != "passed", row
    assert row["status"] == "failed" or row["reason"], row  # whatever it is, it says why


# -- a set-up that fails ------------------------------------------------------------------------------------------
class UploadsFail(ReferenceApp):
    def action_UploadSigningCertificate(self, caller, p):
        raise IamError(500, "InternalFailure", "The request processing has failed.")


def test_a_failed_set_up_is_incomplete_even_with_a_baseline_listing_every_requirement(
    run_cli, root_credentials_env, tmp_path
):
    everything = tmp_path / "everything.json"
    everything.write_text(json.dumps({"target": "x", "expected_failures": {i: "any" for i in requirements()}}))
    written = tmp_path / "written.json"
    with ReferenceServer(app=UploadsFail(Flavour())) as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--baseline",
            str(everything),
            "--write-baseline",
            str(written),
            env=root_credentials_env,
        )
        leftovers = server.store.list_users("/iam-conformance/")
    say_incomplete(run, "suite error")
    errors = [r for r in run.summary["requirements"] if r["status"] == "error"]
    assert errors and all("UploadSigningCertificate" in r["reason"] for r in errors)
    assert not written.exists() and leftovers == []  # no baseline absorbs an incomplete run; cleanup still ran


# -- interruptions --------------------------------------------------------------------------------------------------
class Reached(ReferenceApp):
    """Signals when an action is first reached, then answers slowly: the test interrupts the run right there."""

    def __init__(self, action: str) -> None:
        super().__init__(Flavour())
        self.action, self.reached = action, threading.Event()

    def resolve_action(self, params):
        action = super().resolve_action(params)
        if action == self.action:
            self.reached.set()
        time.sleep(0.02)
        return action


def interrupt_at(action: str, signum: int, root_credentials_env, tmp_path, *extra: str):
    app = Reached(action)
    with ReferenceServer(app=app) as server:
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
                str(tmp_path / "reports"),
                *extra,
            ],
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert app.reached.wait(60), f"the run never called {action}"
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
        leftovers = [u.name for u in server.store.list_users("/iam-conformance/")]
        served = server.requests_served
    from conftest import CliRun

    return CliRun(process.returncode, stdout, stderr, tmp_path / "reports"), leftovers, served


@pytest.mark.parametrize(
    "action,signum",
    [
        ("ListSigningCertificates", signal.SIGTERM),  # the preflight
        ("UploadSigningCertificate", signal.SIGTERM),  # seeding
        ("CreateAccessKey", signal.SIGINT),
        ("GetUser", signal.SIGTERM),
    ],
)  # mid-test: a new key's first call
def test_an_interrupted_run_is_incomplete_says_why_and_cleans_up(action, signum, root_credentials_env, tmp_path):
    run, leftovers, served = interrupt_at(action, signum, root_credentials_env, tmp_path)
    say_incomplete(run, "interrupted")
    assert signal.Signals(signum).name in " ".join(run.summary["incomplete_reasons"]) or signum == signal.SIGINT
    assert leftovers == [] and run.summary["cleanup_problems"] == []
    assert 0 < run.summary["request_count"] <= served  # the real count, preflight and cleanup included
    assert "Traceback" not in run.stdout + run.stderr
    not_run = [r for r in run.summary["requirements"] if r["status"] == "untested"]
    assert all(r["reason"] for r in not_run) and not any(r["status"] == "skipped" for r in run.summary["requirements"])


def test_an_interrupted_cleanup_still_writes_reports_that_say_so(root_credentials_env, tmp_path):
    # DeleteUser is cleanup's alone (the state machine's teardown deletes certificates too, mid-run)
    run, _, _ = interrupt_at("DeleteUser", signal.SIGTERM, root_credentials_env, tmp_path)
    assert run.code == 2 and run.summary["verdict"] == "incomplete"
    assert "Traceback" not in run.stdout + run.stderr


def test_an_interrupt_in_the_state_machines_teardown_is_incomplete_not_a_crash(root_credentials_env, tmp_path):
    run, _, _ = interrupt_at("DeleteSigningCertificate", signal.SIGTERM, root_credentials_env, tmp_path)
    assert run.code == 2 and run.summary["verdict"] == "incomplete", run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr


# pytest's own machinery failing at the session's end (a SystemError once came out of pytest's handling of an
# interrupt; the run now ends an interrupt itself, so the crash is planted where pytest still runs every plugin).
CRASHES_PYTEST = """
import pytest

def pytest_runtest_call(item):
    raise KeyboardInterrupt("a test's interrupt")

@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    raise SystemError("AST constructor recursion depth mismatch (before=87, after=30)")
"""


def test_pytest_crashing_under_the_run_is_incomplete_in_one_line(run_cli, root_credentials_env, tmp_path):
    (tmp_path / "crashes_pytest.py").write_text(CRASHES_PYTEST)
    path = os.pathsep.join(filter(None, (str(tmp_path), os.environ.get("PYTHONPATH"))))
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            env=root_credentials_env | {"PYTEST_PLUGINS": "crashes_pytest", "PYTHONPATH": path},
        )
    assert run.code == 2, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "crashed inside pytest (SystemError)" in run.stderr
    assert run.summary["verdict"] == "incomplete"


# -- a worker lost --------------------------------------------------------------------------------------------------
def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found


def test_a_worker_that_dies_is_reported_and_its_users_swept(root_credentials_env, tmp_path):
    app = Reached("UpdateSigningCertificate")  # a worker's own writes (the owner makes the shared users before)
    with ReferenceServer(app=app) as server:
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
                "-n",
                "2",
                "--report-dir",
                str(tmp_path / "reports"),
            ],
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert app.reached.wait(60)
        workers = children_of(process.pid)
        assert workers, "no xdist worker found"
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=180)
        leftovers = [u.name for u in server.store.list_users("/iam-conformance/")]
    from conftest import CliRun

    run = CliRun(process.returncode, stdout, stderr, tmp_path / "reports")
    say_incomplete(run, "worker")
    assert "INTERNALERROR" not in stdout + stderr and leftovers == []


# -- secrets, with workers ------------------------------------------------------------------------------------------
LONG_TOKEN = "IQoJb3JpZ2luX2Vj" + "".join(chr(ord("A") + (i * 7) % 26) for i in range(900))


class EchoesSecrets(ReferenceApp):
    """Hostile: every error repeats the caller's secret key and session token and every secret it has issued, in
    the body (past any excerpt limit) and in a response header; and answers NoSuchEntity with 400 (a deviation), so
    the bodies reach every report."""

    issued: list[str] = []

    def action_CreateAccessKey(self, caller, p):
        nodes = super().action_CreateAccessKey(caller, p)
        type(self).issued.extend(k.secret for k in self.store.access_keys.values())
        return nodes

    def __call__(self, environ, start_response):
        from conformance.reference import ROOT_SECRET_KEY

        token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN", "")
        echoed = f"{ROOT_SECRET_KEY} {token} {' '.join(self.issued)}"

        def with_header(status, headers, exc_info=None):
            return start_response(status, [*headers, ("x-amzn-RequestId", echoed[-200:])], exc_info)

        return super().__call__(environ, with_header)

    def handle(self, request, request_id):
        try:
            return super().handle(request, request_id)
        except IamError as error:
            token = request.headers.get("X-Amz-Security-Token", "")
            from conformance.reference import ROOT_SECRET_KEY

            echoed = f"{'x' * 550} {ROOT_SECRET_KEY} {token} {error.message} {' '.join(self.issued)}"
            raise IamError(400 if error.code == "NoSuchEntity" else error.status, error.code, echoed) from None


@pytest.mark.parametrize("workers", [None, "2", "3"])
def test_no_secret_whole_or_in_part_reaches_any_output(workers, run_cli, root_credentials_env, tmp_path):
    EchoesSecrets.issued = []
    app = EchoesSecrets(Flavour())
    env = root_credentials_env | {"AWS_SESSION_TOKEN": LONG_TOKEN}
    with ReferenceServer(app=app) as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--allure",
            "--record",  # the recording goes beside the reports: scanned with them
            str(tmp_path / "reports" / "recording"),  # run_cli writes its reports into tmp_path/reports
            *(("-n", workers) if workers else ()),
            env=env,
        )
    secrets = [root_credentials_env["AWS_SECRET_ACCESS_KEY"], LONG_TOKEN, *EchoesSecrets.issued]
    assert len(secrets) >= 3 and run.code in (1, 2) and run.statuses()["ERR-01"] == "failed"
    outputs = outputs_of(run)
    assert len(outputs) > 10 and any("(redacted)" in output for output in outputs)  # echoed, and masked
    recorded = (run.report_dir / "recording" / "exchanges.jsonl").read_text()
    assert "(redacted)" in recorded and "<SecretAccessKey>(redacted)</SecretAccessKey>" in recorded
    for secret in secrets:
        for start in range(0, len(secret) - PIECE + 1):
            piece = secret[start : start + PIECE]
            assert not any(piece in output for output in outputs), f"a piece of a secret leaked: {piece}"


# -- a bug of the suite's own, outside any test ----------------------------------------------------------------------
BUG = """
def pytest_runtest_logfinish(nodeid, location):
    if "test_auth" in nodeid:  # after the first test: the session stops with INTERNALERROR
        raise RuntimeError("a bug of the suite's ReferenceRootSecretKey/k7Qz9rW2mX4vB8nL1pT6 \\x1b]0;title\\x07")
"""


def test_an_internal_error_is_incomplete_says_so_and_shows_its_traceback_redacted(root_credentials_env, tmp_path):
    from conformance.reference import ROOT_SECRET_KEY

    run, leftovers = plugin_run_with("suite_bug", BUG, root_credentials_env, tmp_path)
    assert run.code == pytest.ExitCode.INTERNAL_ERROR and leftovers == []
    assert run.summary["verdict"] == "incomplete"
    assert any(
        "INTERNALERROR" in reason and "RuntimeError: a bug of the suite's (redacted)" in reason
        for reason in run.summary["incomplete_reasons"]
    ), run.summary["incomplete_reasons"]
    assert "INTERNALERROR> " in run.stdout and "suite_bug.py" in run.stdout  # where the bug is, for its report
    assert not any(ROOT_SECRET_KEY[:PIECE] in output or "\x1b" in output for output in outputs_of(run))


def test_an_interrupt_while_a_shared_fixture_is_made_stops_the_run_instead_of_skipping_the_test():
    """Ctrl-C or SIGTERM reaching a test that runs beside the others while its session fixture is being made (the
    seeding, say) must stop the run: swallowed there, the run went on to exit 0 with set-up errors."""
    from types import SimpleNamespace

    from conformance.suite.side_by_side import _arguments

    definition = SimpleNamespace(scope="session")
    item = SimpleNamespace(
        get_closest_marker=lambda name: None,
        _fixtureinfo=SimpleNamespace(argnames=("population", "judge"), name2fixturedefs={"population": [definition]}),
    )

    def raising(error):
        def getfixturevalue(name):
            raise error

        return SimpleNamespace(getfixturevalue=getfixturevalue)

    for stop in (KeyboardInterrupt("SIGTERM"), SystemExit(2), pytest.exit.Exception("bye")):
        with pytest.raises(type(stop)):
            _arguments(raising(stop), item)
    assert _arguments(raising(RuntimeError("seeding refused")), item) is None  # the item meets it as its own error
    assert _arguments(SimpleNamespace(getfixturevalue=lambda name: "users"), item) == {"population": "users"}


SWALLOWED = """
import gc, os, signal, time

class _Finaliser:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # the handler runs here, inside a finaliser: Python swallows what it raises

def pytest_runtest_call(item):
    if "test_every_error_body_validates" in item.nodeid:
        _Finaliser()
        gc.collect()
"""


def test_an_interrupt_whose_keyboardinterrupt_was_swallowed_still_makes_the_run_incomplete(
    root_credentials_env, tmp_path
):
    """Ctrl-C lands wherever the main thread next checks for signals; inside a finaliser, the KeyboardInterrupt is
    printed as unraisable and dropped, and the run goes on to its end. It still was interrupted: exit 2, never 0."""
    run, leftovers = plugin_run_with("swallowed_interrupt", SWALLOWED, root_credentials_env, tmp_path)
    assert run.code != 0 and leftovers == []
    assert run.summary["verdict"] == "incomplete" and run.summary["gate"] == "fail"
    assert any("interrupted (SIGINT (Ctrl-C))" in reason for reason in run.summary["incomplete_reasons"])


# -- Ctrl-C, as a user presses it ------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["cli", "plugin"])
def test_ctrl_c_ends_with_the_incomplete_verdict_as_the_last_line_and_exit_2(mode, root_credentials_env, tmp_path):
    """A real SIGINT mid-run against a slow reference: cleanup runs, the reports say interrupted, the verdict is the
    last line (no pytest KeyboardInterrupt banner or --full-trace hint after it), exit 2 (not the shell's 130: an
    interrupted run is an incomplete one, whatever stopped it)."""
    report_dir = tmp_path / "reports"
    with ReferenceServer(latency_s=0.02) as server:
        options = ("--profile", "quick")
        command = (
            ["-m", "conformance.cli", "run", "--endpoint-url", server.url, *options, "--report-dir", str(report_dir)]
            if mode == "cli"
            else [
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "--pyargs",
                "conformance.suite",
                "--iam-conformance",
                "--iam-endpoint-url",
                server.url,
                "--iam-profile",
                "quick",
                "--iam-report-dir",
                str(report_dir),
            ]
        )
        process = subprocess.Popen(
            [sys.executable, *command],
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        try:
            for _ in range(6000):  # until the tests are well under way (bounded: 60 s of polling)
                if server.requests_served >= 80 or process.poll() is not None:
                    break
                time.sleep(0.01)
            assert process.poll() is None, "the run ended before it could be interrupted"
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=180)
        finally:
            process.kill()
        leftovers = [u.name for u in server.store.list_users("/iam-conformance/")]
    from conftest import CliRun

    run = CliRun(process.returncode, stdout, stderr, report_dir)
    assert run.code == 2, stdout[-3000:] + stderr[-2000:]
    assert stdout.rstrip("\n").splitlines()[-1] == (
        "verdict: incomplete — gate: fail (an incomplete run vouches for nothing it did not see)"
    )
    assert "full-trace" not in stdout + stderr and "KeyboardInterrupt" not in stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert leftovers == [] and run.summary["cleanup_problems"] == []
    assert any("interrupted (SIGINT (Ctrl-C))" in reason for reason in run.summary["incomplete_reasons"])


def test_an_interrupt_while_pytest_starts_is_an_incomplete_run_with_reports(root_credentials_env, tmp_path):
    """SIGTERM right after the seed line (printed once the preflight answered, before pytest's session takes over):
    it used to end without reports, or with a traceback, depending on where pytest's start-up took it."""
    with ReferenceServer(app=ReferenceApp(Flavour())) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", "run", "--endpoint-url", server.url, "--profile", "quick"]
            + ["--report-dir", str(tmp_path / "reports")],
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = process.stdout.readline()
        assert first.startswith("iam-conformance: Hypothesis seed"), first
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=120)
        leftovers = server.store.list_users("/iam-conformance/")
    from conftest import CliRun

    run = CliRun(process.returncode, first + stdout, stderr, tmp_path / "reports")
    say_incomplete(run, "SIGTERM")
    assert "Traceback" not in run.stdout + run.stderr and leftovers == []
    assert run.stdout.rstrip().splitlines()[-1].startswith("verdict: incomplete")
