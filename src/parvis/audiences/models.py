"""Saved audiences: a filter tree (see `filters`) compiled to one SQL query, either
evaluated each time (dynamic) or frozen into a list of members (static snapshot)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.people.models import Person


class Audience(models.Model):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic (evaluated at each use)")
        STATIC = "static", _("Static (frozen snapshot)")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(_("filters"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default="dynamic")
    snapshot_at = models.DateTimeField(_("snapshot taken"), null=True, blank=True)
    snapshot_count = models.PositiveIntegerField(_("people in the snapshot"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AudienceMember(models.Model):
    """One person of a static audience's snapshot (written with one INSERT … SELECT)."""

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audience", "person"], name="audience_member_unique")
        ]

    def __str__(self):
        return f"{self.audience_id}: {self.person_id}"
