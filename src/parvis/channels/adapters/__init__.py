"""Channel adapters register themselves here, one module each (plug-ins by file): adding a
channel means adding a module, not an `if channel == ...` branch."""

from collections.abc import Callable

from ..messages import OutgoingMessage

Sender = Callable[[OutgoingMessage], str]
_SENDERS: dict[str, Sender] = {}


def register(channel: str):
    def decorator(function: Sender) -> Sender:
        _SENDERS[channel] = function
        return function

    return decorator


def send(message: OutgoingMessage) -> str:
    """Hand the message to its channel; returns the provider's id for it ('' if none)."""
    try:
        sender = _SENDERS[message.channel]
    except KeyError:
        raise ValueError(f"No adapter for channel {message.channel!r}") from None
    return sender(message)


def channels() -> list[str]:
    return sorted(_SENDERS)


from . import email, portal, sms  # noqa: E402, F401
