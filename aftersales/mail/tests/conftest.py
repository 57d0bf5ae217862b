"""Real mail servers for the mail tests, on loopback: a dovecot IMAP server (Debian's
dovecot-imapd, installed by scripts/ensure-debian-packages.sh) started once per session with a
temporary configuration, and an aiosmtpd SMTP sink as Django's EMAIL_HOST/PORT."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import string
import subprocess  # noqa: S404 - the test starts a real IMAP server
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

TEMPLATE = Path(__file__).resolve().parents[3] / "scripts" / "mail-test-servers" / "dovecot.conf.template"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
IMAP_USER = "service"
IMAP_PASSWORD = "imap-test-password"  # noqa: S105 - a throw-away test server
PASSWORD_ENV = "AFTERSALES_TEST_MAILBOX_PASSWORD"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ImapServer:
    port: int
    root: Path
    user: str = IMAP_USER
    password: str = IMAP_PASSWORD

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into the folder as a mail server would (IMAP APPEND)."""
        connection = self.connect()
        try:
            status, _data = connection.append(folder, "", None, raw)
            assert status == "OK"
        finally:
            connection.logout()

    def empty(self, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            connection.select(folder)
            connection.store("1:*", "+FLAGS", "(\\Deleted)")
            connection.expunge()
        except imaplib.IMAP4.error:
            pass
        finally:
            connection.logout()

    def seen_count(self, folder: str = "INBOX") -> int:
        connection = self.connect()
        try:
            connection.select(folder, readonly=True)
            _status, data = connection.search(None, "SEEN")
            return len((data[0] or b"").split())
        finally:
            connection.logout()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed: run scripts/ensure-debian-packages.sh (Debian dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    port = _free_port()
    if os.getuid() == 0:
        # dovecot refuses mail access as root: the maildirs belong to its own system user.
        mail_user, login_user = pwd.getpwnam("dovecot"), "dovenull"
    else:
        mail_user = pwd.getpwuid(os.getuid())
        login_user = mail_user.pw_name
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir()
    (root / "users").write_text(f"{IMAP_USER}:{IMAP_PASSWORD}\n")
    if os.getuid() == 0:
        for folder in ("mail", "home"):
            os.chown(root / folder, mail_user.pw_uid, mail_user.pw_gid)
        os.chmod(root, 0o755)  # noqa: S103 - a throw-away folder; dovecot's users must enter it
    config = root / "dovecot.conf"
    config.write_text(string.Template(TEMPLATE.read_text()).substitute(
        root=root, port=port, uid=mail_user.pw_uid, gid=mail_user.pw_gid, user=mail_user.pw_name,
        group=grp.getgrgid(mail_user.pw_gid).gr_name, login_user=login_user,
    ))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)],  # noqa: S603 - fixed arguments
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = ImapServer(port=port, root=root)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.connect().logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot did not start:\n{output}\n{log}")
            time.sleep(0.1)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SinkHandler:
    """Keeps every message it accepts; refuses the next `failures` with a temporary error."""

    messages: list[EmailMessage] = field(default_factory=list)
    failures: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_controller() -> Iterator[tuple[Controller, SinkHandler]]:
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink(smtp_controller: tuple[Controller, SinkHandler], settings: Any) -> SinkHandler:
    """The SMTP sink as Django's mail server, emptied for this test."""
    controller, handler = smtp_controller
    handler.messages.clear()
    handler.failures = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return handler


@pytest.fixture
def imap(imap_server: ImapServer) -> ImapServer:
    """The IMAP server with an empty inbox for this test."""
    imap_server.empty()
    return imap_server


@pytest.fixture
def mailbox(db: Any, imap: ImapServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    from aftersales.mail.models import Mailbox

    monkeypatch.setenv(PASSWORD_ENV, imap.password)
    return Mailbox.objects.create(
        name="服务邮箱", address="service@aftersales.invalid", host="127.0.0.1", port=imap.port, use_tls=False,
        username=imap.user, password_env=PASSWORD_ENV, folder="INBOX",
    )
