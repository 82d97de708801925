"""Web form and chat answers are read on the citizen portal: nothing leaves the server."""

from ..messages import OutgoingMessage
from . import register


@register("portal")
@register("chat")
def publish_on_portal(message: OutgoingMessage) -> str:
    return ""
