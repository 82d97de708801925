from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "parvis.assist"
    verbose_name = _("AI assist")

    def ready(self):
        from parvis.cases.intake import message_received

        from . import setup, signals

        message_received.connect(signals.on_message_received, dispatch_uid="assist-triage")
        # Connected with this app as sender: it runs after the console's roles are reset
        # (parvis.assist comes after parvis.console in INSTALLED_APPS).
        post_migrate.connect(setup.after_migrate, sender=self)
