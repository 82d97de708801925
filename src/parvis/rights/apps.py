from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "parvis.rights"
    label = "rights"
    verbose_name = _("Rights and eligibility")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .roles import ensure_permissions

        # Connected with this app as sender: it runs after the console's roles are reset
        # (parvis.rights comes after parvis.console in INSTALLED_APPS).
        post_migrate.connect(ensure_permissions, sender=self)
