"""A private Dovecot IMAP server for tests: its own configuration, maildirs and logs in a
temporary folder, listening on 127.0.0.1 on a free port, run as a child in the foreground
(`dovecot -F`). Any user name logs in with the password PASSWORD and gets its own mailbox,
so each test uses a fresh user instead of a fresh server."""

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

PASSWORD = "secret-imap"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available() -> tuple[bool, str]:
    if not os.path.exists(DOVECOT):
        return False, "dovecot is not installed (Debian package dovecot-imapd)"
    if os.geteuid() == 0:
        for user in ("dovecot", "dovenull", "nobody"):
            try:
                pwd.getpwnam(user)
            except KeyError:
                return False, f"system user {user!r} missing (reinstall dovecot-core)"
    return True, ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self):
        # Not under pytest's tmp_path: that is private to root (0700) and the mail processes
        # run as "nobody" when the tests run as root.
        self.root = Path(tempfile.mkdtemp(prefix="parvis-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.config = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"
        self._configure()

    def _configure(self):
        mail, home, run, state = (self.root / d for d in ("mail", "home", "run", "state"))
        for folder in (mail, home, run, state):
            folder.mkdir()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
            internal, login = "dovecot", "dovenull"
            for folder in (mail, home):
                os.chown(folder, uid, gid)
        else:
            uid, gid = os.getuid(), os.getgid()
            internal = login = pwd.getpwuid(uid).pw_name
        self.config.write_text(
            f"""
base_dir = {run}
state_dir = {state}
instance_name = parvis-test-{self.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
log_path = {self.log}
mail_location = maildir:{mail}/%u
mail_plugins =
mail_fsync = never
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "Dovecot":
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as a whole
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log.read_text() if self.log.exists() else ""
                raise RuntimeError(f"dovecot did not start:\n{log}")
            time.sleep(0.05)

    def kill(self):
        """The server dies at once, with every connection it holds (SIGKILL to the group)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # Children in the group die with it; wait until the port is free to restart.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                break
            time.sleep(0.05)
        (self.root / "run" / "master.pid").unlink(missing_ok=True)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- helpers for tests ----------------------------------------------------------------

    def url(self, user: str, folder: str = "INBOX") -> str:
        return f"imap://{user}:{PASSWORD}@127.0.0.1:{self.port}/{folder}"

    def client(self, user: str) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        connection.login(user, PASSWORD)
        return connection

    def append(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        connection = self.client(user)
        try:
            for raw in messages:
                typ, data = connection.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            connection.logout()

    def flags(self, user: str) -> dict[int, set[str]]:
        """UID -> flags of every message in the user's INBOX."""
        connection = self.client(user)
        try:
            connection.select("INBOX")
            typ, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            result = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                text = line.decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0].split()
                result[uid] = set(flags)
            return result
        finally:
            connection.logout()


@pytest.fixture(scope="session")
def dovecot_server():
    ok, reason = available()
    require_or_skip(ok, reason)
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server):
    ok, reason = available()
    require_or_skip(ok, reason)
    return dovecot_server


@pytest.fixture
def private_dovecot():
    """A server of the test's own, which the test may kill."""
    ok, reason = available()
    require_or_skip(ok, reason)
    server = Dovecot().start()
    yield server
    server.kill()
    server.stop()


@pytest.fixture
def imap_user():
    return f"mairie-{uuid.uuid4().hex[:10]}"
