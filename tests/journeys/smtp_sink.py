"""A real SMTP server on loopback (aiosmtpd) that records what it accepts and can hold its
answer to the n-th message, so that a test can kill a worker while it waits for it."""

import asyncio
import email
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(
        self, hold_at: int | None = None, pipelining: bool = True, refuse: set | None = None
    ):
        self.pipelining = pipelining
        self.refuse = refuse or set()  # recipients answered "550"
        self.message_ids: list[str] = []
        self.messages = []
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd reads commands from a stream, so it serves pipelined clients; it just
        # does not say so. Real MTAs (Postfix, Exim) do.
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.message_ids.append(message["Message-ID"])
            self.messages.append(message)
            count = len(self.message_ids)
        if self.hold_at is not None and count == self.hold_at:
            self.holding.set()
            await asyncio.sleep(60)  # the worker is killed while it waits for "250"
        return "250 Message accepted for delivery"


class Sink:
    def __init__(
        self,
        port: int | None = None,
        hold_at: int | None = None,
        pipelining: bool = True,
        refuse: set | None = None,
    ):
        self.port = port or free_port()
        self.recorder = Recorder(hold_at, pipelining, refuse)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self.recorder

    def __exit__(self, *exc):
        self.controller.stop(no_assert=True)
