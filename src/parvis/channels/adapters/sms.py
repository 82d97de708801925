"""SMS out through the configured provider (see parvis.channels.sms)."""

from ..messages import OutgoingMessage
from . import register


@register("sms")
def send_sms(message: OutgoingMessage) -> str:
    from ..sms import provider

    return provider().send(message.to, message.body_text)
