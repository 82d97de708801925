from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "parvis.journeys"
    verbose_name = _("Journeys")

    def ready(self):
        from parvis.console.roles import ensure_roles

        from . import audience_conditions, push, signals  # noqa: F401  (registrations)

        # Console sets the roles before this app's permissions exist: set them again after.
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="journeys-roles")
