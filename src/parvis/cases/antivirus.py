"""Antivirus scan through clamd (ClamAV's daemon), when PARVIS_CLAMD names its socket:
a unix socket path ("/run/clamav/clamd.ctl") or "tcp://host:port".

The protocol is clamd's INSTREAM (clamd(8)): the command "zINSTREAM\\0", then the file in
chunks, each prefixed by its length as 4 bytes big-endian, then a zero-length chunk; clamd
answers "stream: OK", "stream: <signature> FOUND" or "<reason> ERROR" (e.g. when the file
exceeds its StreamMaxLength), terminated by "\\0".

What a failure means is decided by the caller (see cases.attachments): a file clamd could
not scan is kept and marked, never lost."""

import io
import logging
import socket
import struct
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    status: str  # "clean", "found", "error" (clamd refused), "unavailable" (no clamd)
    detail: str = ""  # the signature found, or what went wrong

    @property
    def label(self) -> str:
        """What Attachment.antivirus stores."""
        if self.status == "found":
            return f"FOUND {self.detail}"[:100]
        return self.status


def enabled() -> bool:
    return bool(settings.PARVIS_CLAMD)


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://") :].rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address.removeprefix("unix://"))
    except OSError:
        sock.close()
        raise
    return sock


def scan(content) -> ScanResult:
    """Scan bytes or a binary file object (read from its current position, in chunks)."""
    address = settings.PARVIS_CLAMD
    if not address:
        return ScanResult("unavailable", "no clamd configured")
    stream = io.BytesIO(content) if isinstance(content, bytes | bytearray | memoryview) else content
    try:
        with _connect(address, settings.PARVIS_CLAMD_TIMEOUT) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
                if len(answer) > 64 * 1024:
                    break
    except (OSError, ValueError) as exc:
        # clamd down, socket missing, timeout, or it closed on us (size limit reached while
        # we were still sending): the caller keeps the file and says it was not scanned.
        logger.warning("clamd at %s cannot be used: %s", address, exc)
        return ScanResult("unavailable", str(exc)[:200])
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    body = text.split(":", 1)[1].strip() if ":" in text else text
    if body == "OK":
        return ScanResult("clean")
    if body.endswith(" FOUND"):
        return ScanResult("found", body[: -len(" FOUND")].strip())
    logger.warning("clamd could not scan a file: %s", text or "(no answer)")
    return ScanResult("error", (text or "no answer")[:200])
