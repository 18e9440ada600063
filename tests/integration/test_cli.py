"""`iam-conformance run` end to end over loopback: verdicts, exit codes, reports and cleanup."""

import json
import socket

import pytest

from conformance.reference import Flavour, ReferenceServer

EVERY_LEGAL_VARIATION = Flavour(
    element_order="reversed",
    namespace_prefix="iam",
    xml_declaration=True,
    page_cap=1,
    marker_style="exotic",
    certificate_order="reverse",
    upload_date_precision="millis",
    result_username=False,
)


@pytest.mark.parametrize("flavour", [Flavour(), EVERY_LEGAL_VARIATION], ids=["page-style", "every-legal-variation"])
def test_a_conformant_reference_passes_every_requirement_and_leaves_nothing(flavour, run_cli, root_credentials_env):
    with ReferenceServer(flavour) as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", env=root_credentials_env)
        leftovers = [u.name for u in server.store.list_users("/iam-conformance/")]
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert set(run.statuses().values()) == {"passed"}
    assert run.summary["verdict"] == "conformant" and run.summary["request_count"] > 50
    assert (run.report_dir / "report.html").read_text().count("</tr>") > 30
    assert leftovers == []
    assert "verdict: conformant" in run.stdout
    seed = run.summary["hypothesis_seed"]
    assert f"Hypothesis seed {seed} (" in run.stdout and f"replay with --seed {seed})" in run.stdout
    secret = root_credentials_env["AWS_SECRET_ACCESS_KEY"]
    for output in (run.stdout, run.stderr, *(p.read_text() for p in run.report_dir.rglob("*") if p.is_file())):
        assert secret not in output


def test_two_workers_give_the_same_verdict(run_cli, root_credentials_env):
    with ReferenceServer() as server:
        run = run_cli("run", "--endpoint-url", server.url, "--profile", "quick", "-n", "2", env=root_credentials_env)
        leftovers = server.store.list_users("/iam-conformance/")
    assert run.code == 0, run.stdout[-3000:]
    assert set(run.statuses().values()) == {"passed"} and leftovers == []


def test_embedded_moto_is_nonconformant_where_the_notes_say(run_cli):
    run = run_cli("run", "--profile", "quick")
    assert run.code == 1, run.stdout[-3000:] + run.stderr[-2000:]
    failed = {r["category"] for r in run.summary["requirements"] if r["status"] == "failed"}
    assert {"pagination", "parameters", "identity"} <= failed
    statuses = run.statuses()
    assert statuses["PAG-02"] == statuses["PAG-03"] == statuses["ID-01"] == statuses["PARAM-02"] == "failed"
    # What moto gets right (the notes): namespace, wrapper, RequestId, NoSuchEntity, quota.
    assert statuses["SHAPE-01"] == statuses["SHAPE-03"] == statuses["SHAPE-04"] == statuses["ERR-01"] == "passed"
    assert run.summary["target"].startswith("embedded moto")


def test_embedded_moto_with_its_baseline_passes_the_gate_and_names_each_deviation(run_cli):
    from importlib.metadata import version

    from conformance.contract.spec import data_dir

    baseline = data_dir("baselines") / f"moto-{version('moto')}.json"
    run = run_cli("run", "--profile", "quick", "--baseline", "moto")
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    summary = run.summary
    assert summary["verdict"] == "nonconformant" and summary["gate"] == "pass"
    assert summary["unexpected_failures"] == [] and summary["baseline_entries_now_passing"] == []
    for requirement_id in summary["known_deviations"]:
        assert f"known deviation {requirement_id}" in " ".join(run.stdout.split())
    assert set(summary["known_deviations"]) == set(json.loads(baseline.read_text())["expected_failures"])
    assert summary["baseline"] == baseline.stem and summary["baseline_drift"] == []


def test_a_baseline_entry_that_now_passes_is_reported(run_cli, root_credentials_env, tmp_path):
    baseline = tmp_path / "stale.json"
    baseline.write_text(json.dumps({"target": "x", "expected_failures": {"PAG-02": "was broken once"}}))
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--baseline",
            str(baseline),
            env=root_credentials_env,
        )
    assert run.code == 0
    assert run.summary["baseline_entries_now_passing"] == ["PAG-02"]
    assert "now passing" in run.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "args,env,reason",
    [
        (["run", "-n", "0"], {}, "must be at least 1"),
        (["run", "--profile", "fastest"], {}, "invalid choice"),
        (["run", "--endpoint-url", "ftp://example"], {}, "not an http(s) URL"),
        (["run", "--baseline", "/nonexistent/baseline.json"], {}, "cannot read baseline"),
        (["run"], {"AWS_ENDPOINT_URL_IAM": "not a url"}, "AWS_ENDPOINT_URL_IAM"),
    ],
)
def test_bad_usage_exits_2_with_a_one_line_reason(args, env, reason, run_cli):
    run = run_cli(*args, env=env)
    assert run.code == 2
    assert reason in run.stderr and "Traceback" not in run.stderr + run.stdout


def test_an_unreachable_target_exits_2(run_cli, root_credentials_env):
    url = f"http://127.0.0.1:{free_port()}/"
    run = run_cli("run", "--endpoint-url", url, env=root_credentials_env)
    assert run.code == 2
    assert run.stderr == f"iam-conformance: could not run: cannot reach {url}: connection refused\n"
    assert run.stdout.startswith("verdict: incomplete") and run.stdout.count("\n") == 1


def test_refused_credentials_exit_2(run_cli):
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            env={"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNUNKNOWN00", "AWS_SECRET_ACCESS_KEY": "x" * 40},
        )
    assert run.code == 2
    assert "credentials refused" in run.stdout + run.stderr


def test_missing_credentials_for_a_named_endpoint_exit_2(run_cli, tmp_path):
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            env={
                "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true",
            },
        )
    assert run.code == 2
    assert "no AWS credentials found" in run.stdout + run.stderr


def test_a_target_whose_tls_certificate_is_not_trusted_is_named_so_and_aws_ca_bundle_fixes_it(
    run_cli, root_credentials_env, tmp_path
):
    import ssl
    import threading

    from test_client import loopback_tls_certificate
    from werkzeug.serving import make_server

    from conformance.reference import ReferenceApp

    certificate, key = loopback_tls_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server = make_server("127.0.0.1", 0, ReferenceApp(Flavour()), threaded=True, ssl_context=context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_port}/"
    try:
        refused = run_cli("run", "--endpoint-url", url, "--profile", "quick", env=root_credentials_env)
        trusted = run_cli(
            "run",
            "--endpoint-url",
            url,
            "--profile",
            "quick",
            env=root_credentials_env | {"AWS_CA_BUNDLE": certificate},
        )
    finally:
        server.shutdown()
    assert refused.code == 2 and refused.stderr.count("\n") == 1 and "AWS_CA_BUNDLE" in refused.stderr
    assert refused.stderr.startswith(
        f"iam-conformance: could not run: cannot reach {url}: TLS: the target's certificate"
    )
    assert trusted.code == 0, trusted.stdout[-2000:] + trusted.stderr[-1000:]
