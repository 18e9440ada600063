"""Real IAM in the field (issue 25), end to end: the whole CLI talks to https://iam.amazonaws.com/ (and the China
endpoint) as a user behind a corporate proxy does — HTTPS_PROXY, AWS_CA_BUNDLE, AWS_REGION=eu-west-1 in the shell —
while a CONNECT proxy on loopback sends every tunnel to the reference, served over TLS with a certificate for AWS's
host names and accepting only the credential scope that endpoint's partition names. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from support.aws_lookalike import ConnectProxy, Tls, tls_for
from werkzeug.wrappers import Response

from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, Flavour, ReferenceApp, ReferenceServer, Store
from conformance.reference.render import Renderer

GLOBAL = "https://iam.amazonaws.com/"
CHINA = "https://iam.cn-north-1.amazonaws.com.cn/"
ROOT_KEYS = {"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY}


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return tls_for(tmp_path_factory.mktemp("tls"))


class Field:
    """The CLI against `endpoint` through the proxy, as a shell in Europe runs it."""

    def __init__(self, tls: Tls, tmp_path: Path) -> None:
        self.tls, self.tmp_path = tls, tmp_path
        self.asked: list[str] = []
        self.served = 0
        self.report_dir = tmp_path / "reports"

    def run(
        self, app: ReferenceApp, endpoint: str, *args: str, credentials: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        report_dir = self.report_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "PROXY" not in k.upper()}
        env |= credentials or ROOT_KEYS
        env |= {"AWS_REGION": "eu-west-1", "AWS_CA_BUNDLE": str(self.tls.ca_bundle), "CI": "1"}
        with (
            ReferenceServer(app=app, ssl_context=self.tls.context) as server,
            ConnectProxy(server.port_number) as proxy,
        ):
            env["HTTPS_PROXY"] = proxy.url
            done = subprocess.run(
                [sys.executable, "-m", "conformance.cli", "run", "--endpoint-url", endpoint, "--allow-writes"]
                + ["--report-dir", str(report_dir), "--deadline", "240", *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=400,
                cwd=self.tmp_path,
            )
            self.asked, self.served = list(proxy.asked), server.requests_served
        return done

    @property
    def summary(self) -> dict:
        return json.loads((self.report_dir / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def field(tls: Tls, tmp_path: Path) -> Field:
    return Field(tls, tmp_path)


def conformant(done: subprocess.CompletedProcess[str], field: Field, host: str) -> None:
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert field.summary["verdict"] == "conformant"
    assert field.asked and set(field.asked) == {f"{host}:443"}, "every request went through the proxy to AWS's host"
    assert "Traceback" not in done.stdout + done.stderr


def test_a_standard_run_through_a_proxy_from_europe_signs_as_iam_amazonaws_com_asks(field: Field) -> None:
    done = field.run(ReferenceApp(Flavour(), signing_region="us-east-1"), GLOBAL, "--profile", "standard")
    conformant(done, field, "iam.amazonaws.com")
    assert "signing for iam in us-east-1" in done.stdout  # the header says which scope, whatever AWS_REGION says
    assert field.served > 100  # a whole run went through the proxy, not its first call only


def test_the_china_endpoint_signs_for_cn_north_1(field: Field) -> None:
    done = field.run(ReferenceApp(Flavour(), signing_region="cn-north-1"), CHINA, "--profile", "quick")
    conformant(done, field, "iam.cn-north-1.amazonaws.com.cn")
    assert "signing for iam in cn-north-1" in done.stdout


def test_a_users_session_credentials_act_as_that_user(field: Field) -> None:
    """GetSessionToken credentials of a user, issued with MFA (IAM refuses them otherwise): the implicit listing
    lists that user's certificates, and the run judges it so."""
    store = Store()
    store.create_user("operator")
    issued = store.issue_user_session("operator", mfa=True)
    credentials = {
        "AWS_ACCESS_KEY_ID": issued.access_key_id,
        "AWS_SECRET_ACCESS_KEY": issued.secret,
        "AWS_SESSION_TOKEN": issued.token,
    }
    done = field.run(ReferenceApp(Flavour(), store=store), GLOBAL, "--profile", "quick", credentials=credentials)
    conformant(done, field, "iam.amazonaws.com")
    rows = {row["id"]: row["status"] for row in field.summary["requirements"]}
    assert rows["ID-02"] in {"passed", "untested"} and rows["ID-01"] == "passed"
    assert issued.secret not in done.stdout + done.stderr and issued.token not in done.stdout + done.stderr


def test_unknown_actions_in_the_front_ends_awsfault_envelope_are_no_deviation(field: Field) -> None:
    done = field.run(ReferenceApp(Flavour(front_end_faults=True)), GLOBAL, "--profile", "quick")
    conformant(done, field, "iam.amazonaws.com")


# -- refused credentials: one line that says whose fault -------------------------------------------------------------
def refusal_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "credentials refused" in line]
    assert len(lines) == 1, done.stdout + done.stderr
    return lines[0]


def test_a_region_forced_against_the_endpoints_scope_is_refused_in_one_line(field: Field) -> None:
    done = field.run(ReferenceApp(Flavour()), GLOBAL, "--region", "eu-west-1")
    line = refusal_line(done)
    assert "Credential should be scoped to a valid region" in line  # the target's own words
    assert "signed for iam in eu-west-1 (--region)" in line or "signed for iam in eu-west-1" in line
    assert "AKIA…T001" in line and ROOT_SECRET_KEY not in done.stdout + done.stderr
    assert "botocore's own IAM client is refused too" in line  # the same scope: the shell is at fault


def test_a_wrong_secret_is_refused_in_one_line_and_never_shown(field: Field) -> None:
    wrong = "WrongSecretKey/000000000000000000000000001"
    done = field.run(
        ReferenceApp(Flavour()),
        GLOBAL,
        credentials={"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": wrong},
    )
    line = refusal_line(done)
    assert "SignatureDoesNotMatch" in line and "signed for iam in us-east-1" in line
    assert "botocore's own IAM client is refused too" in line
    assert wrong not in done.stdout + done.stderr and wrong[:12] not in done.stdout + done.stderr


# -- deviations are the news, even when the run could not finish -------------------------------------------------------
class ErrorsAsJson(ReferenceApp):
    """Every error as a JSON document (application/json, its own status), every success as the reference answers."""

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        held: list[str] = []
        xml = b"".join(super().__call__(environ, lambda status, headers, *rest: held.append(status)))  # type: ignore[arg-type]
        from lxml import etree

        root = etree.fromstring(xml)
        if etree.QName(root).localname != "ErrorResponse":
            return Response(xml, status=held[0], headers=[("Content-Type", "text/xml")])(environ, start_response)
        error = {"Code": root.findtext(".//{*}Code") or "", "Message": root.findtext(".//{*}Message") or ""}
        body = json.dumps({"Error": error, "RequestId": root.findtext(".//{*}RequestId") or ""}).encode()
        return Response(body, status=held[0], headers=[("Content-Type", "application/json")])(environ, start_response)


class TruncatedIds(Renderer):
    """Listed CertificateIds cut to 20 characters (the upload's answer has them whole)."""

    def certificate(self, cert, tag: str = "member"):  # type: ignore[no-untyped-def]
        return super().certificate(replace(cert, certificate_id=cert.certificate_id[:20]), tag)


def truncated_ids() -> ReferenceApp:
    app = ReferenceApp(Flavour())
    app.renderer = TruncatedIds(app.flavour)
    return app


@pytest.mark.parametrize("target", [ErrorsAsJson, truncated_ids], ids=["errors-as-json", "truncated-ids"])
def test_a_deviating_target_is_nonconformant_even_when_the_run_is_also_incomplete(field: Field, target) -> None:
    done = field.run(target(), GLOBAL, "--profile", "quick")
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    summary = field.summary
    assert summary["verdict"] == "nonconformant" and summary["gate"] == "fail"
    assert any(row["status"] == "failed" for row in summary["requirements"])
    assert "verdict: nonconformant" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_a_lagging_iam_behind_the_proxy_is_conformant_within_the_deadline(field: Field) -> None:
    """800 ms before a write shows (issue 25's lag); the five-run measure is in CHANGELOG, this is the field path."""
    done = field.run(ReferenceApp(Flavour(), store=Store(consistency_lag_s=0.8)), GLOBAL, "--profile", "quick")
    conformant(done, field, "iam.amazonaws.com")
