"""SMTP with STARTTLS or implicit TLS and a login whose password comes from the environment."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from collector.delivery.base import DeliveryError, Message
from collector.delivery.smtp import SmtpChannel
from collector.settings import EmailSettings
from tests.delivery.conftest import Inbox, free_port

PASSWORD = "s3cret-pass"


@pytest.fixture
def cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by the client through SSL_CERT_FILE."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command")
    crt, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(crt)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(crt))
    return crt, key


def _authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"kikimimi"
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok)


def _message() -> Message:
    return Message(
        subject="テスト通知", text="本文です。", html="<p>本文です。</p>", to=["kouhou@city.chino.lg.jp"]
    )


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_login_over_tls_with_the_password_from_the_environment(cert, monkeypatch, security: str) -> None:  # noqa: ANN001
    crt, key = cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    inbox, port = Inbox(), free_port()
    if security == "starttls":
        tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    else:  # implicit TLS: aiosmtpd only counts STARTTLS as TLS for AUTH, so it must be told to allow it
        tls = {"ssl_context": context, "auth_require_tls": False}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_authenticator, **tls)
    controller.start()
    try:
        settings = EmailSettings(host="127.0.0.1", port=port, security=security, user="kikimimi", timeout=5.0)
        with pytest.raises(DeliveryError, match="KIKIMIMI_SMTP_PASSWORD"):
            SmtpChannel(settings).send(_message())  # no password in the environment: says which variable
        if security == "starttls":  # (aiosmtpd waits 5 s after a failed login: once is enough)
            monkeypatch.setenv("KIKIMIMI_SMTP_PASSWORD", "wrong-pw")
            with pytest.raises(DeliveryError) as wrong:
                SmtpChannel(settings).send(_message())
            assert "wrong-pw" not in str(wrong.value)
        monkeypatch.setenv("KIKIMIMI_SMTP_PASSWORD", PASSWORD)
        SmtpChannel(settings).send(_message())
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and inbox.messages[0]["Subject"] == "テスト通知"
