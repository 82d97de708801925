"""The clamd hook, against a stand-in clamd speaking its INSTREAM protocol on loopback (a
real clamd needs virus databases downloaded from the Internet), and with clamd off."""

import socket
import struct
import threading

import pytest

from parvis.cases import antivirus, attachments, intake
from parvis.cases.models import Attachment
from parvis.channels.messages import IncomingMessage

pytestmark = pytest.mark.usefixtures("english")

# The EICAR test file, assembled here so that this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
PDF = b"%PDF-1.4\n%%EOF\n"


class FakeClamd:
    """Answers zINSTREAM/nINSTREAM like clamd: chunks prefixed by their big-endian length,
    a zero-length chunk to end, then "stream: OK" or "stream: <name> FOUND"."""

    def __init__(self, family=socket.AF_INET, path=None, max_stream=None, answer=None):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(path or ("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}" if not path else path
        self.max_stream = max_stream
        self.answer = answer
        self.streams: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    self._handle(conn)
                except OSError:  # the client gave up (the size-limit test): serve the next
                    pass

    @staticmethod
    def _exactly(conn, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def _handle(self, conn):
        command = b""
        while not command.endswith((b"\0", b"\n")):
            command += conn.recv(1)
        end = command[-1:]
        if command[1:-1] != b"INSTREAM":
            conn.sendall(b"UNKNOWN COMMAND" + end)
            return
        stream = b""
        while True:
            (size,) = struct.unpack("!L", self._exactly(conn, 4))
            if size == 0:
                break
            stream += self._exactly(conn, size)
            if self.max_stream is not None and len(stream) > self.max_stream:
                conn.sendall(b"INSTREAM size limit exceeded. ERROR" + end)
                return
        self.streams.append(stream)
        if self.answer is not None:
            conn.sendall(self.answer + end)
        elif EICAR in stream:
            conn.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND" + end)
        else:
            conn.sendall(b"stream: OK" + end)

    def close(self):
        self.sock.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.PARVIS_CLAMD = server.address
    settings.PARVIS_CLAMD_TIMEOUT = 10
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def message(db):
    return intake.receive(
        IncomingMessage(channel="email", sender="x@example.fr", message_id="<av@x>", subject="s")
    ).message


def test_a_clean_file_is_scanned_clean(clamd):
    assert antivirus.scan(PDF) == antivirus.ScanResult("clean")
    assert clamd.streams == [PDF]


def test_a_large_file_is_streamed_in_chunks(clamd):
    content = bytes(range(256)) * 1024 + EICAR  # 256 kB: several chunks, EICAR at the end
    result = antivirus.scan(content)
    assert result.status == "found"
    assert clamd.streams == [content]


def test_eicar_is_found(clamd):
    result = antivirus.scan(EICAR)
    assert result == antivirus.ScanResult("found", "Win.Test.EICAR_HDB-1")
    assert result.label == "FOUND Win.Test.EICAR_HDB-1"


def test_a_virus_refuses_the_attachment_with_its_name(clamd, message):
    attachment = attachments.store_attachment(message, "notes.txt", EICAR)
    assert attachment.status == Attachment.Status.REFUSED
    assert attachment.refusal_reason == "A virus was found in this file (Win.Test.EICAR_HDB-1)."
    assert attachment.antivirus == "FOUND Win.Test.EICAR_HDB-1"
    assert not attachment.file


def test_a_clean_attachment_is_kept_and_marked_clean(clamd, message):
    attachment = attachments.store_attachment(message, "acte.pdf", PDF)
    assert attachment.status == Attachment.Status.ACCEPTED
    assert attachment.antivirus == "clean"


def test_files_refused_by_the_policy_are_not_sent_to_clamd(clamd, message):
    attachments.store_attachment(message, "setup.exe", b"MZ" + bytes(100))
    assert clamd.streams == []


def test_clamd_unreachable_keeps_the_file_marked_unavailable(settings, message, caplog):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    settings.PARVIS_CLAMD = f"tcp://127.0.0.1:{port}"
    attachment = attachments.store_attachment(message, "acte.pdf", PDF)
    assert attachment.status == Attachment.Status.ACCEPTED
    assert attachment.antivirus == "unavailable"
    assert attachment.file
    assert "without antivirus scan" in caplog.text


def test_a_missing_unix_socket_keeps_the_file(settings, message, tmp_path):
    settings.PARVIS_CLAMD = str(tmp_path / "clamd.ctl")
    attachment = attachments.store_attachment(message, "acte.pdf", PDF)
    assert (attachment.status, attachment.antivirus) == (Attachment.Status.ACCEPTED, "unavailable")


def test_clamd_on_a_unix_socket(settings, tmp_path):
    server = FakeClamd(socket.AF_UNIX, str(tmp_path / "clamd.sock"))
    settings.PARVIS_CLAMD = server.address
    try:
        assert antivirus.scan(EICAR).status == "found"
        assert antivirus.scan(PDF).status == "clean"
    finally:
        server.close()


def test_clamd_refusing_the_stream_keeps_the_file_marked_error(settings, message):
    server = FakeClamd(answer=b"stream: Can't allocate memory ERROR")
    settings.PARVIS_CLAMD = server.address
    try:
        attachment = attachments.store_attachment(message, "acte.pdf", PDF)
    finally:
        server.close()
    assert (attachment.status, attachment.antivirus) == (Attachment.Status.ACCEPTED, "error")


def test_a_stream_over_clamd_limit_is_kept_not_lost(settings, message):
    server = FakeClamd(max_stream=1000)
    settings.PARVIS_CLAMD = server.address
    try:
        attachment = attachments.store_attachment(message, "acte.pdf", PDF + bytes(200_000))
    finally:
        server.close()
    assert attachment.status == Attachment.Status.ACCEPTED
    assert attachment.antivirus in {"error", "unavailable"}


def test_without_clamd_configured_nothing_is_scanned(settings, message):
    settings.PARVIS_CLAMD = ""
    attachment = attachments.store_attachment(message, "notes.txt", EICAR)
    assert (attachment.status, attachment.antivirus) == (Attachment.Status.ACCEPTED, "")
