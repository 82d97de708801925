"""Polling a local maildir (what a local mail server such as Postfix, or the demo's SMTP
server, delivers into): each file of new/ is handed to the handler and, once the handler has
returned (its case and message committed), moved to cur/ with the Seen flag ("S"), plus
Flagged ("F") when it could not be read as an email. A crash in between leaves the file in
new/: it comes back at the next poll as a duplicate, recognised by the intake."""

import logging
import os
from pathlib import Path

from .imap import Handler, PollReport

logger = logging.getLogger(__name__)


def ensure_maildir(path: Path) -> Path:
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def poll_maildir(path, handle: Handler) -> PollReport:
    path = ensure_maildir(Path(path))
    report = PollReport(str(path))
    new, cur = path / "new", path / "cur"
    for name in sorted(os.listdir(new)):
        if name.startswith("."):
            continue
        source = new / name
        try:
            raw = source.read_bytes()
        except FileNotFoundError:
            continue  # another poller took it
        try:
            outcome = handle(raw)
        except Exception:
            logger.exception("Maildir %s: %s could not be taken in", path, name)
            report.failed += 1
            continue
        report.outcomes[outcome] += 1
        flags = "FS" if outcome == "rejected" else "S"
        try:
            os.replace(source, cur / f"{name.split(':2,')[0]}:2,{flags}")
        except FileNotFoundError:
            pass
    return report
