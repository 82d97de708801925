from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "parvis.geo"
    label = "geo"
    verbose_name = _("Map and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import conditions  # noqa: F401  (registers the "area" audience condition)
        from .roles import ensure_permissions

        # After parvis.journeys in INSTALLED_APPS: runs after the console's roles are reset.
        post_migrate.connect(ensure_permissions, sender=self, dispatch_uid="geo-permissions")
