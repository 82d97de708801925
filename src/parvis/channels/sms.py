"""SMS providers. The default writes to the log (demo, tests); real providers speak their
documented HTTP API."""

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LogProvider:
    """Sends nothing: logs the SMS. For the demo and development."""

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        logger.info("SMS to %s (%s): %s", to, message_id, text)
        return message_id


def provider():
    return import_string(settings.PARVIS_SMS_PROVIDER)()
