"""`pcfhub serve` over HTTPS, as a real process: TLS handshake, Secure cookies, readiness."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pcfhub.config import Settings
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
START_TIMEOUT_S = 30


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def https_server(
    settings: Settings, platform: Platform, tmp_path: Path
) -> Iterator[tuple[str, ssl.SSLContext]]:
    cert_file, key_file = _self_signed(tmp_path)
    port = _free_port()
    env = os.environ | {
        "PCFHUB_ENVIRONMENT": "test",
        "PCFHUB_DATA_DIR": str(settings.data_dir),
        "PCFHUB_DATABASE_URL": settings.resolved_database_url,
        "PCFHUB_SECRET_KEY": settings.secret().decode(),
        "PCFHUB_TLS_CERTFILE": str(cert_file),
        "PCFHUB_TLS_KEYFILE": str(key_file),
        "PCFHUB_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pcfhub.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=str(cert_file))
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                if httpx2.get(f"{base}/healthz", verify=context).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"pcfhub serve did not come up over TLS:\n{output}")
            time.sleep(0.2)
        yield base, context
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_speaks_https_and_marks_cookies_secure(
    https_server: tuple[str, ssl.SSLContext], platform: Platform
) -> None:
    base, context = https_server
    battery = next(s for s in seed_demo(platform) if s.organisation == "cq-battery")
    with httpx2.Client(base_url=base, verify=context) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        page = client.get("/sign-in")
        assert "Secure" in page.headers["set-cookie"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        signed_in = client.post(
            "/sign-in",
            data={"email": battery.email, "password": battery.password, "csrf_token": token[1]},
        )
        assert signed_in.status_code == 303
        session_cookie = signed_in.headers["set-cookie"]
        assert session_cookie.startswith("pcfhub_session=")
        assert "Secure" in session_cookie
        assert "HttpOnly" in session_cookie
    with pytest.raises(httpx2.TransportError):  # plain HTTP on the TLS port gets no answer
        httpx2.get(base.replace("https", "http") + "/healthz", timeout=5)
    with pytest.raises(httpx2.ConnectError):  # nor does a client that does not trust the key
        httpx2.get(f"{base}/healthz", timeout=5)
