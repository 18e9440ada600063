"""An AWS endpoint on loopback, reached the way a corporate network reaches AWS: the reference IAM served over HTTPS
with a certificate for AWS's own host names (signed by a CA of the test's own, given to the suite as AWS_CA_BUNDLE),
behind an HTTP CONNECT proxy (HTTPS_PROXY) that sends every tunnel to it, whatever host was asked for. The suite then
talks to https://iam.amazonaws.com/ as it would in the field, and nothing leaves the machine."""

from __future__ import annotations

import datetime
import select
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

AWS_HOSTS = ("iam.amazonaws.com", "iam.cn-north-1.amazonaws.com.cn", "iam.us-gov.amazonaws.com")


@dataclass(frozen=True)
class Tls:
    ca_bundle: Path  # what AWS_CA_BUNDLE names
    context: ssl.SSLContext  # the server's


def tls_for(folder: Path, hosts: tuple[str, ...] = AWS_HOSTS) -> Tls:
    """A CA, and a server certificate it signed for `hosts`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iam-conformance test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    bundle, chain, private = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    bundle.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, private)
    return Tls(bundle, context)


class ConnectProxy:
    """An HTTP proxy that answers every CONNECT by tunnelling to `port` on loopback; it counts the tunnels and the
    hosts asked for. Anything but CONNECT gets 405."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._tunnel(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target = head.split(b" ", 2)[:2]
        if method != b"CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        with self._lock:
            self.asked.append(target.decode("latin-1"))
        upstream = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            pair = {client: upstream, upstream: client}
            while True:
                ready, _, _ = select.select(list(pair), [], [], 30)
                if not ready:
                    return
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    pair[end].sendall(data)
        finally:
            upstream.close()

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
