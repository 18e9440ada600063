"""The client: kept-open connections as real IAM keeps them, one time budget per call, SigV4 and nothing else."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.credentials import Credentials
from support.hostile import LIST_USERS_OK, HostileServer

from conformance.protocol import client as client_module
from conformance.protocol.client import IamClient, Identity, TargetUnreachable


class KeepAliveTarget:
    """Answers every call with an empty ListUsers over HTTP/1.1 keep-alive; counts the TCP connections made."""

    def __init__(self) -> None:
        self.connections = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                owner.connections += 1
                super().setup()

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(LIST_USERS_OK)))
                self.end_headers()
                self.wfile.write(LIST_USERS_OK)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_calls_reuse_one_connection_when_the_target_keeps_it_open():
    target = KeepAliveTarget()
    client = IamClient(target.url, "us-east-1", Identity("caller", Credentials("AKIDEXAMPLE", "secret")))
    try:
        statuses = [client.call("ListUsers").status for _ in range(5)]
    finally:
        client.close()
        target.close()
    assert statuses == [200] * 5
    assert target.connections == 1


# One budget per call, whatever the target's pacing: the budgets are shortened here so each case takes seconds.
BUDGET_S = 2.0
SLACK_S = 10.0  # loose, for a busy machine: without the budget a dripping target takes 100000 s


@pytest.fixture
def short_budget(monkeypatch):
    monkeypatch.setattr(client_module, "READ_TIMEOUT_S", BUDGET_S)
    monkeypatch.setattr(client_module, "SUSPECT_TIMEOUT_S", BUDGET_S)


def signed_client(url: str, deadline: float | None = None) -> IamClient:
    return IamClient(url, "us-east-1", Identity("caller", Credentials("AKIDEXAMPLE", "secret")), deadline)


def timed_call(client: IamClient) -> tuple[float, str]:
    started = time.monotonic()
    with pytest.raises(TargetUnreachable) as caught:
        client.call("ListUsers")
    return time.monotonic() - started, str(caught.value)


@pytest.mark.parametrize("mode", ["slow-body", "slow-head", "slow-unsized-body"])
def test_a_dripping_answer_ends_at_the_calls_budget(mode, short_budget):
    with HostileServer(mode) as server:
        client = signed_client(server.url)
        try:
            elapsed, reason = timed_call(client)
        finally:
            client.close()
    # slow-unsized-body: a body without Content-Length ends at the shutdown and would look whole; it must not.
    assert elapsed < BUDGET_S + SLACK_S, elapsed
    assert "timed out after" in reason


def test_the_run_deadline_cuts_a_dripping_answer_short():
    with HostileServer("slow-body") as server:
        client = signed_client(server.url, deadline=time.monotonic() + BUDGET_S)
        try:
            elapsed, _ = timed_call(client)
            assert elapsed < BUDGET_S + SLACK_S
            _, reason = timed_call(client)  # the deadline has passed: nothing more is sent
        finally:
            client.close()
    assert "deadline" in reason and server.calls == 1


def test_cleanup_after_the_deadline_ends_within_its_grace_against_a_dripping_target(monkeypatch, short_budget):
    monkeypatch.setattr(client_module, "CLEANUP_GRACE_S", 3 * BUDGET_S + 1)
    with HostileServer("slow-head") as server:
        client = signed_client(server.url, deadline=time.monotonic() - 1)
        client.lift_deadline()
        started = time.monotonic()
        try:
            reasons = [timed_call(client)[1] for _ in range(client_module.GIVE_UP_AFTER + 2)]
        finally:
            client.close()
    assert time.monotonic() - started < client_module.CLEANUP_GRACE_S + SLACK_S
    assert "stopped answering" in reasons[-1] and server.calls == client_module.GIVE_UP_AFTER


def test_every_budget_is_watched_by_one_thread():
    target = KeepAliveTarget()
    client = signed_client(target.url)
    try:
        client.call("ListUsers")
        before = threading.active_count()
        for _ in range(20):
            client.call("ListUsers")
        assert threading.active_count() == before
    finally:
        client.close()
        target.close()


def test_an_endpoint_with_user_info_is_refused_by_the_client_itself():
    with pytest.raises(ValueError, match="user-info") as caught:
        signed_client("http://someone:hunter22@127.0.0.1:9/")
    assert "hunter22" not in str(caught.value)


def test_netrc_never_turns_into_basic_auth(tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter22\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    with HostileServer("garbage") as server:
        client = signed_client(server.url)
        unsigned = signed_client(server.url)
        try:
            client.call("ListUsers")
            unsigned.call("ListUsers", identity=Identity.unsigned())
        finally:
            client.close()
            unsigned.close()
    signed, none = server.authorizations
    assert signed.startswith("AWS4-HMAC-SHA256 ") and none is None


def test_a_targets_cookie_is_never_sent_back():
    with HostileServer("sets-cookie") as server:
        client = signed_client(server.url)
        try:
            for _ in range(3):
                assert client.call("ListUsers").status == 200
        finally:
            client.close()
    assert server.cookies == [None, None, None]


def loopback_tls_certificate(folder) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files: (certificate, key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "certificate.pem", folder / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certificate_path), str(key_path)


@pytest.mark.parametrize("mode", ["slow-head", "slow-body"])
def test_a_dripping_answer_over_tls_ends_at_the_calls_budget(mode, short_budget, tmp_path, monkeypatch):
    import ssl

    certificate, key = loopback_tls_certificate(tmp_path)
    monkeypatch.setenv("AWS_CA_BUNDLE", certificate)  # trusted for this client only (botocore's variable first)
    server = HostileServer(mode)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    with server:
        client = signed_client(server.url.replace("http://", "https://"))
        try:
            elapsed, reason = timed_call(client)
        finally:
            client.close()
    assert elapsed < BUDGET_S + SLACK_S and "timed out after" in reason
