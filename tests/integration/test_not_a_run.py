"""One line for what isn't a run: a target that cannot be reached, or that answers nothing IAM-shaped, ends the run
before any test in one line and exit 2, with no library internals, nothing started and nothing to clean up; a target
that answers as IAM, whatever it says, is run and judged. Each over real servers on loopback."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
from urllib.parse import parse_qs

import pytest
from werkzeug.wrappers import Response

from conformance.reference import Flavour, ReferenceApp, ReferenceServer

INTERNALS = ("Pool", "Max retries", "Errno", "urllib3", "requests.", "Traceback", "NewConnectionError")


def one_line_and_the_verdict(run) -> str:
    """The run's one line on stderr (returned), and its verdict alone on stdout."""
    assert run.code == 2, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("iam-conformance: could not run: "), run.stderr
    assert run.stdout.startswith("verdict: incomplete — gate: fail") and run.stdout.count("\n") == 1, run.stdout
    assert not any(internal in run.stdout + run.stderr for internal in INTERNALS), run.stderr
    return run.stderr.removeprefix("iam-conformance: could not run: ").rstrip("\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- unreachable ------------------------------------------------------------------------------------------------------
def test_a_refused_connection_is_one_line(run_cli, root_credentials_env):
    url = f"http://127.0.0.1:{free_port()}/"
    run = run_cli("run", "--endpoint-url", url, env=root_credentials_env)
    assert one_line_and_the_verdict(run) == f"cannot reach {url}: connection refused"
    assert run.summary["verdict"] == "incomplete" and run.summary["request_count"] == 1


def test_a_name_that_does_not_resolve_is_one_line(run_cli, root_credentials_env):
    url = "http://iam-conformance-test.invalid/"  # .invalid never resolves (RFC 6761), with or without a network
    run = run_cli("run", "--endpoint-url", url, env=root_credentials_env)
    assert one_line_and_the_verdict(run) == f"cannot reach {url}: name not resolved"


def test_a_target_that_accepts_but_never_answers_is_one_line(run_cli, root_credentials_env):
    with socket.socket() as listening:  # the kernel accepts the connection; nobody ever answers
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        url = f"http://127.0.0.1:{listening.getsockname()[1]}/"
        run = run_cli("run", "--endpoint-url", url, "--deadline", "3", env=root_credentials_env)
    assert re.fullmatch(rf"cannot reach {re.escape(url)}: timed out after [0-9.]+ s", one_line_and_the_verdict(run))


def test_an_endpoint_from_the_environment_says_where_it_came_from(run_cli, root_credentials_env):
    url = f"http://127.0.0.1:{free_port()}/"
    run = run_cli("run", env=root_credentials_env | {"AWS_ENDPOINT_URL_IAM": url})
    assert one_line_and_the_verdict(run) == f"cannot reach {url} (from AWS_ENDPOINT_URL_IAM): connection refused"


# -- not IAM -----------------------------------------------------------------------------------------------------------
class Answers(ReferenceApp):
    """The same answer to every request (`preflight_only`: to the preflight, then the conformant reference)."""

    def __init__(self, status: int, content_type: str, body: bytes, preflight_only: bool = False) -> None:
        super().__init__(Flavour())
        self.answer, self.preflight_only = (status, content_type, body), preflight_only
        self.actions: list[str] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)  # read again by the reference
        self.actions.append(parse_qs(body.decode()).get("Action", [""])[0])
        if self.preflight_only and b"-preflight-absent" not in body:
            return super().__call__(environ, start_response)
        status, content_type, text = self.answer
        self.requests_served += 1
        return Response(text, status=status, content_type=content_type)(environ, start_response)


NOT_IAM = {
    "web-server-404": (404, "text/html", b"<!doctype html><html><head><title>404 Not Found</title></head></html>"),
    "another-apis-json": (404, "application/json", b'{"message": "Not Found", "documentation_url": "https://x"}'),
    "aws-json-protocol": (400, "application/x-amz-json-1.1", b'{"__type": "UnknownOperationException"}'),
    "s3-style-xml": (
        403,
        "application/xml",
        b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    ),
    "other-xml": (200, "text/xml", b"<x/>"),
    "empty": (200, "text/plain", b""),
    "terminal-escapes": (200, "text/html", b"\x1b]0;pwned\x07\x1b[2J<html>\xe2\x80\xaeevil</html>"),
}


@pytest.mark.parametrize("answer", sorted(NOT_IAM))
def test_a_target_that_answers_nothing_iam_shaped_is_one_line_and_no_test_starts(answer, run_cli, root_credentials_env):
    status, content_type, body = NOT_IAM[answer]
    app = Answers(status, content_type, body)
    with ReferenceServer(app=app) as server:
        url = server.url
        run = run_cli("run", "--endpoint-url", url, "--profile", "quick", env=root_credentials_env)
    line = one_line_and_the_verdict(run)
    assert line.startswith(f"{url} does not answer as IAM: HTTP {status}, {content_type}")
    assert line.endswith("(no XML ErrorResponse or listing to ListSigningCertificates): no test started")
    assert len(line) < 400
    # The preflight, and the caller's own listing asking whether it speaks IAM at all: no test, no cleanup (ListUsers)
    assert app.actions == ["ListSigningCertificates", "ListSigningCertificates"]
    if body:
        assert f"{len(body)} bytes: " in line
    if answer == "terminal-escapes":  # what it sent is shown escaped, never acted on
        assert "\\x1b]0;pwned\\x07" in line and "\\u202e" in line and "\x1b" not in run.stderr + run.stdout
    summary = run.summary
    assert summary["verdict"] == "incomplete" and summary["gate"] == "fail" and summary["cleanup_problems"] == []
    assert "does not answer as IAM" in summary["incomplete_reasons"][0]
    assert {row["status"] for row in summary["requirements"]} == {"untested"}


# -- IAM-shaped, whatever it says: the run starts ---------------------------------------------------------------------
AWSFAULT = (
    b'<ErrorResponse xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"><Error><Type>Sender</Type>'
    b"<Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error>"
    b"<RequestId>72168399-bcdd-4248-bf57-bf5d4a6dc07d</RequestId></ErrorResponse>"
)
ACCESS_DENIED = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
    b"<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
    b"iam:ListSigningCertificates on resource: user x</Message></Error>"
    b"<RequestId>0d9d4d57-7e3e-4f4d-9b8e-2b5c1d1e9f00</RequestId></ErrorResponse>"
)


@pytest.mark.parametrize(
    "status,body",
    [(404, AWSFAULT), (403, ACCESS_DENIED)],
    ids=["awsfault-namespace", "access-denied"],
)
def test_an_iam_shaped_preflight_answer_starts_the_run(status, body, run_cli, root_credentials_env):
    """A legal IAM may answer the listing of a user that does not exist in the front end's AWSFault namespace, or
    refuse it (a policy scoped to the suite's own path): IAM-shaped, so the run starts and judges the target."""
    app = Answers(status, "text/xml", body, preflight_only=True)
    with ReferenceServer(app=app) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", env=root_credentials_env)
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.summary["verdict"] == "conformant" and "ListUsers" not in app.actions[:1]
    assert len(app.actions) > 50


class BrokenErrors(ReferenceApp):
    """The reference, every error body of which comes out as something no IAM sends (its listings are right)."""

    def render_error(self, error, request_id):
        return b"<ProblemReport><Code>" + error.code.encode() + b"</Code></ProblemReport>"


class CrashesOnEverything(ReferenceApp):
    """An IAM that fails on every request before it can render an answer: the web server's own 500 page."""

    def __call__(self, environ, start_response):
        raise RuntimeError("broken")


@pytest.mark.parametrize(
    "app, judged",
    [(BrokenErrors, {"SHAPE-02", "ERR-01"}), (CrashesOnEverything, {"ERR-01", "SHAPE-01"})],
    ids=["its-errors-malformed", "a-500-page-for-everything"],
)
def test_an_iam_whose_preflight_answer_is_malformed_is_judged(app, judged, run_cli, root_credentials_env):
    """No IAM-shaped answer to the preflight, but an IAM all the same: it answers the caller's own listing as IAM,
    or it failed on the request (a 5xx of its own). The run starts and what it answered is judged: nonconformant."""
    with ReferenceServer(app=app(Flavour())) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", env=root_credentials_env)
    assert run.code == 1, run.stdout[-3000:] + run.stderr[-2000:]
    failed = {row["id"] for row in run.summary["requirements"] if row["status"] == "failed"}
    assert run.summary["verdict"] == "nonconformant" and judged <= failed, failed


# -- waiting for a target that is starting -----------------------------------------------------------------------------
def run_command(url: str, report_dir, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        "--endpoint-url",
        url,
        "--report-dir",
        str(report_dir),
        *extra,
    ]


def test_wait_for_target_polls_until_the_target_answers(root_credentials_env, tmp_path):
    """A CI job starts the target beside the suite: the run waits, says so once, and runs once it answers."""
    from conftest import CliRun

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env
    process = subprocess.Popen(
        run_command(url, tmp_path / "reports", "--profile", "quick", "--wait-for-target", "120"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        waiting = process.stderr.readline()  # the run tried, and waits: now the target starts
        with ReferenceServer(port=port):
            stdout, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    assert waiting == (
        f"iam-conformance: waiting up to 120 s for {url} to answer (--wait-for-target): cannot reach {url}: "
        "connection refused\n"
    )
    run = CliRun(process.returncode, stdout, waiting + stderr, tmp_path / "reports")
    assert run.code == 0, stdout[-3000:] + stderr[-2000:]
    assert run.summary["verdict"] == "conformant" and stdout.splitlines()[-1].startswith("verdict: conformant")


def test_wait_for_target_gives_up_in_one_line(run_cli, root_credentials_env):
    url = f"http://127.0.0.1:{free_port()}/"
    run = run_cli("run", "--endpoint-url", url, "--wait-for-target", "1", env=root_credentials_env)
    assert run.code == 2 and run.stderr.count("\n") == 2, run.stderr  # it waits, then gives up
    assert run.stderr.splitlines()[-1] == (
        f"iam-conformance: could not run: cannot reach {url}: connection refused "
        "(still, after waiting 1 s: --wait-for-target)"
    )
    assert run.summary["request_count"] >= 2  # it did poll


class GatewayFirst(ReferenceApp):
    """A gateway's 502 page to the first calls (the target behind it is starting), then the reference. (A 503 is
    retried by every call already, as IAM's own load shedding is.)"""

    def __init__(self, gateway_answers: int) -> None:
        super().__init__(Flavour())
        self.gateway_answers = gateway_answers

    def __call__(self, environ, start_response):
        if self.gateway_answers > 0:
            self.gateway_answers -= 1
            page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            return Response(page, status=502, content_type="text/html")(environ, start_response)
        return super().__call__(environ, start_response)


def test_wait_for_target_waits_through_a_gateways_502_page(run_cli, root_credentials_env):
    with ReferenceServer(app=GatewayFirst(2)) as server:
        url = server.url
        run = run_cli(
            "run", "--endpoint-url", url, "--profile", "quick", "--wait-for-target", "60", env=root_credentials_env
        )
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.stderr.startswith(f"iam-conformance: waiting up to 60 s for {url} to answer (--wait-for-target): ")
    assert "HTTP 502, text/html" in run.stderr


def test_without_wait_for_target_a_gateways_502_page_is_not_iam(run_cli, root_credentials_env):
    with ReferenceServer(app=GatewayFirst(1)) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", env=root_credentials_env)
    assert "does not answer as IAM: HTTP 502, text/html" in one_line_and_the_verdict(run)
