from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only")

    def delete(self):
        raise PermissionError("The access log is append-only")


class AccessLog(models.Model):
    """One read of a person's file: who, whom, what, when and why.

    Append-only: the model refuses updates and deletes, and database triggers (see the
    migration) refuse them too, so that not even raw SQL from the application rewrites history.
    """

    class Channel(models.TextChoices):
        CONSOLE = "console", _("Console")
        API = "api", _("API")
        PORTAL = "portal", _("Citizen portal")
        SYSTEM = "system", _("System")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150)
    # A plain id rather than a foreign key: the log must outlive the person's erasure.
    person_id = models.BigIntegerField(_("whom"), db_index=True)
    person_label = models.CharField(_("person"), max_length=300, blank=True)
    action = models.CharField(_("what"), max_length=80)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        permissions = [("search_accesslog", _("Can search the access log"))]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} → {self.person_label} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only")
