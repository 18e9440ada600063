"""Throw-away X.509 signing certificates, made with `cryptography`.

One RSA key per process signs every certificate (key generation is the slow part); each certificate gets a
random serial and subject, so bodies are unique per run, as IAM requires within an account.
"""

from __future__ import annotations

import datetime
import functools
import secrets
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_KEY_LOCK = threading.Lock()


@functools.cache
def _generated_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key() -> rsa.RSAPrivateKey:
    with _KEY_LOCK:  # tests beside each other seed at once: one key made, not one per thread that got there first
        return _generated_key()


def new_certificate_pem(common_name: str = "iam-conformance", line_ending: str = "\n") -> str:
    """A self-signed certificate, valid from yesterday for 30 days, as PEM text with `line_ending` ending each line."""
    key = _key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iam-conformance"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name}-{secrets.token_hex(4)}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii").replace("\n", line_ending)
