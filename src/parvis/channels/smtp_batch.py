"""Many messages over one SMTP connection, pipelined (RFC 2920) when the server offers it.

Django's SMTP backend speaks one command at a time: four round trips per message (MAIL,
RCPT, DATA, content). With PIPELINING the content of message *i* and the envelope of
message *i + 1* travel in one write and their replies come back together, so a message costs
one round trip. The messages are bytes already (see `delivery.email_bytes`): no MIME work
here.

`Pipeline.submit()` hands one message over and returns the results that became known in that
round trip; `finish()` returns the last ones. `before_content(key)` is called right before a
message's content leaves: from then on it may have been delivered (the delivery worker
journals it, see `parvis.journeys.delivery`). A connection lost mid-way raises
`DeliveryError` and leaves `in_doubt` naming the message whose content left without an
answer."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass

from django.conf import settings

from .messages import DeliveryError

DOT_LINE = re.compile(rb"(?m)^\.")


@dataclass
class Result:
    key: object
    ok: bool
    code: int
    text: str = ""

    @property
    def retryable(self) -> bool:
        return not 500 <= self.code < 600


def stuff(data: bytes) -> bytes:
    """CRLF line ends, dot-stuffed (RFC 5321 4.5.2), ending with the lone dot."""
    if b"\r\n" not in data:
        data = data.replace(b"\n", b"\r\n")
    data = DOT_LINE.sub(b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class Pipeline:
    def __init__(self, host=None, port=None, *, before_content=None, timeout=None):
        self.host = host or settings.EMAIL_HOST
        self.port = int(port or settings.EMAIL_PORT)
        self.timeout = timeout or getattr(settings, "EMAIL_TIMEOUT", None) or 60
        self.before_content = before_content or (lambda key: None)
        self.smtp: smtplib.SMTP | None = None
        self.pipelining = False
        self.in_doubt = None  # key of a message whose content left without an answer
        self._pending = None  # (key, content) waiting for its "354"
        self._reader = None

    # --- connection ----------------------------------------------------------------------

    def open(self) -> None:
        try:
            if getattr(settings, "EMAIL_USE_SSL", False):
                self.smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self.smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self.smtp.ehlo()
            if getattr(settings, "EMAIL_USE_TLS", False):
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if getattr(settings, "EMAIL_HOST_USER", ""):
                self.smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except (smtplib.SMTPException, OSError) as exc:
            self.smtp = None
            raise DeliveryError(f"SMTP server unreachable: {exc}") from exc
        self.pipelining = self.smtp.has_extn("pipelining")
        self._reader = self.smtp.file or self.smtp.sock.makefile("rb")

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    # --- protocol --------------------------------------------------------------------------

    def _reply(self) -> tuple[int, str]:
        lines = []
        while True:
            line = self._reader.readline(8192)
            if not line:
                raise smtplib.SMTPServerDisconnected("connection closed")
            lines.append(line[4:].strip().decode("utf-8", "replace"))
            if line[3:4] != b"-":
                try:
                    return int(line[:3]), " ".join(lines)
                except ValueError as exc:
                    raise smtplib.SMTPResponseException(500, line[:80]) from exc

    @staticmethod
    def _envelope(sender: str, recipient: str) -> bytes:
        return f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode()

    def _wrap(self, function, *args):
        try:
            return function(*args)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"SMTP: {exc}") from exc

    def submit(self, key, sender: str, recipient: str, data: bytes) -> list[Result]:
        """Hand one message over; returns the results known after this round trip."""
        return self._wrap(self._submit, key, sender, recipient, stuff(data))

    def finish(self) -> list[Result]:
        return self._wrap(self._finish)

    def _send_content(self, out: bytes) -> bytes:
        key, content = self._pending
        self.before_content(key)
        self.in_doubt = key
        self._pending = None
        return out + content

    def _content_result(self, key) -> Result:
        code, text = self._reply()
        self.in_doubt = None
        return Result(key, code == 250, code, text)

    def _submit(self, key, sender, recipient, content) -> list[Result]:
        results = []
        if not self.pipelining:
            return self._one_by_one(key, sender, recipient, content)
        out, previous = b"", None
        if self._pending is not None:
            previous = self._pending[0]
            out = self._send_content(out)
        self.smtp.sock.sendall(out + self._envelope(sender, recipient))
        if previous is not None:
            results.append(self._content_result(previous))
        envelope = [self._reply() for _ in range(3)]
        (mail, mail_text), (rcpt, rcpt_text), (data, data_text) = envelope
        if data == 354:
            self._pending = (key, content)
        else:
            if data < 400:  # cannot happen: the server wants content we will not send
                raise smtplib.SMTPResponseException(data, data_text)
            failed = next(
                ((c, t) for c, t in envelope if c >= 400), (data, data_text)
            )  # the first refusal says why
            results.append(Result(key, False, *failed))
            self.smtp.sock.sendall(b"RSET\r\n")
            self._reply()
        return results

    def _one_by_one(self, key, sender, recipient, content) -> list[Result]:
        sock = self.smtp.sock
        for command in (f"MAIL FROM:<{sender}>\r\n", f"RCPT TO:<{recipient}>\r\n"):
            sock.sendall(command.encode())
            code, text = self._reply()
            if code >= 400:
                sock.sendall(b"RSET\r\n")
                self._reply()
                return [Result(key, False, code, text)]
        sock.sendall(b"DATA\r\n")
        code, text = self._reply()
        if code != 354:
            return [Result(key, False, code, text)]
        self._pending = (key, content)
        sock.sendall(self._send_content(b""))
        return [self._content_result(key)]

    def _finish(self) -> list[Result]:
        if self._pending is None:
            return []
        key = self._pending[0]
        self.smtp.sock.sendall(self._send_content(b""))
        return [self._content_result(key)]
