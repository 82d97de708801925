"""The demo's mail server: an SMTP server on loopback (aiosmtpd) that stands for both the
administration's mailbox and the outside world.

* Mail to the administration's own domain (PARVIS_EMAIL_DOMAIN, and the domain of
  DEFAULT_FROM_EMAIL) is delivered into a maildir (var/mail: new/, cur/, tmp/), which the
  worker polls every minute (PARVIS_MAILDIRS) like an IMAP mailbox.
* Mail to anyone else (Parvis's answers to citizens) is written as .eml files into
  var/mail/outbox, where it can be read with any mail client.

Only for the demo and tests: it accepts mail from anyone who can reach the port, so it
listens on loopback only."""

import email.utils
import logging
import mailbox
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings

from .maildir import ensure_maildir

logger = logging.getLogger(__name__)


def local_domains() -> set[str]:
    domains = {settings.PARVIS_EMAIL_DOMAIN.lower()}
    _name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    if "@" in address:
        domains.add(address.rsplit("@", 1)[1].lower())
    return domains


class MaildirHandler:
    def __init__(self, inbox: Path, outbox: Path, domains: set[str]):
        self.inbox = ensure_maildir(Path(inbox))
        self.outbox = Path(outbox)
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.domains = {d.lower() for d in domains}

    def is_local(self, address: str) -> bool:
        return address.rsplit("@", 1)[-1].lower().strip(">") in self.domains

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        local = [r for r in envelope.rcpt_tos if self.is_local(r)]
        if local:
            # Return-Path as a delivering server adds it: "<>" marks bounces.
            sender = (envelope.mail_from or "").strip("<>")
            return_path = f"Return-Path: <{sender}>\r\n".encode()
            mailbox.Maildir(str(self.inbox), factory=None, create=True).add(return_path + raw)
        if len(local) < len(envelope.rcpt_tos):
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            (self.outbox / name).write_bytes(raw)
        return "250 Message accepted for delivery"


def start(
    root: Path | None = None, host: str = "127.0.0.1", port: int = 2525, domains=None
) -> Controller:
    """Start the server in a background thread; stop it with .stop()."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    root = Path(root or settings.VAR_DIR / "mail")
    handler = MaildirHandler(root, root / "outbox", domains or local_domains())
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=getattr(settings, "PARVIS_EMAIL_MAX_BYTES", 100 * 1024 * 1024),
    )
    controller.start()
    return controller


def start_for_demo(stdout) -> tuple[Controller | None, dict]:
    """For `parvis serve-demo`: the server on PARVIS_SMTP_HOST:PORT (127.0.0.1:2525, where
    Django sends), and the environment for the worker and beat, which poll var/mail."""
    root = Path(settings.VAR_DIR) / "mail"
    env = {}
    if str(root) not in settings.PARVIS_MAILDIRS:
        env["PARVIS_MAILDIRS"] = ",".join([*settings.PARVIS_MAILDIRS, str(root)])
    try:
        controller = start(root, settings.EMAIL_HOST, settings.EMAIL_PORT)
    except Exception as exc:  # port taken, address not local...
        stdout.write(
            f"Demo mail server not started on {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}"
        )
        return None, env
    _name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    stdout.write(
        f"Demo mailbox: send mail to {address} through SMTP {settings.EMAIL_HOST}:"
        f"{settings.EMAIL_PORT}; it becomes a case within a minute. "
        f"Answers to citizens are written to {root / 'outbox'}."
    )
    return controller, env
