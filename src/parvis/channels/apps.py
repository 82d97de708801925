from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "parvis.channels"
    verbose_name = _("Channels")

    def ready(self):
        from . import adapters  # noqa: F401  (registers the channel adapters)
