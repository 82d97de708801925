from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "parvis.appointments"
    label = "appointments"
    verbose_name = _("Appointments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .roles import ensure_permissions

        # After the console's roles are reset (this app comes after parvis.console).
        post_migrate.connect(ensure_permissions, sender=self, dispatch_uid="appointments-roles")
