"""Named areas (neighbourhoods, IRIS) and geographic alerts.

An `Alert` is an incident: its first message, its updates and its closing message are
`AlertUpdate` rows sent to the same audience, frozen into `AlertRecipient` at the first send.
Every message is a `journeys.Dispatch` that went through the dispatch gate; `AlertDispatch`
links it back to the update it belongs to. Citizens choose topics and areas of interest
(their school, their work) with `AlertSubscription`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.people.models import Person


class Area(models.Model):
    """A named area imported from GeoJSON; the geometry is stored in WGS84 (lon, lat) as a
    GeoJSON MultiPolygon, with its bounding box for cheap overlap tests."""

    class Kind(models.TextChoices):
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        IRIS = "iris", _("IRIS")
        OTHER = "other", _("Other area")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default="other")
    geometry = models.JSONField(_("geometry"))
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="geo_area_unique")]

    def __str__(self):
        return self.name


class Topic(models.TextChoices):
    SAFETY = "safety", _("Safety (flood, power cut, danger)")
    WORKS = "works", _("Road works and disruptions")
    EVENT = "event", _("Events and culture")


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    channels = models.JSONField(_("channels"), default=list)
    selection = models.JSONField(_("selected area"))  # as drawn on the map
    definition = models.JSONField(_("filters"))  # the audience tree it compiles to
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    recipients = models.PositiveIntegerField(_("people reached"), default=0)
    frozen_at = models.DateTimeField(_("audience frozen"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        permissions = [("send_alert", _("Can send alerts, their updates and closing messages"))]

    def __str__(self):
        return self.title

    @property
    def safety(self) -> bool:
        """Safety alerts (vital interest) bypass quiet hours and the contact pressure cap."""
        return self.topic == Topic.SAFETY


class AlertUpdate(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("First message")
        UPDATE = "update", _("Update")
        CLOSING = "closing", _("Closing message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be queued")
        QUEUING = "queuing", _("Being queued")
        QUEUED = "queued", _("Queued")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    # Recipients are queued in person-id order, one committed chunk at a time: a task that
    # dies resumes after the last committed chunk and sends nothing twice.
    progress = models.BigIntegerField(default=0)
    totals = models.JSONField(default=dict)  # {"email:queued": n, "sms:no_contact": n, ...}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert message")
        verbose_name_plural = _("alert messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.alert_id}/{self.kind}: {self.subject}"


class AlertRecipient(models.Model):
    """One person of an alert's audience, frozen at the first send (one INSERT … SELECT)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "person"], name="geo_alert_recipient_unique")
        ]

    def __str__(self):
        return f"{self.alert_id}: {self.person_id}"


class AlertDispatch(models.Model):
    update = models.ForeignKey(AlertUpdate, on_delete=models.CASCADE, related_name="+")
    dispatch = models.OneToOneField(
        "journeys.Dispatch", on_delete=models.CASCADE, related_name="alert_link"
    )

    def __str__(self):
        return f"{self.update_id}: {self.dispatch_id}"


class AlertSubscription(models.Model):
    """A citizen's wish to hear about a topic: for their own address (no area) or for another
    area (school, work). Recorded from the portal."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic", "area"], name="geo_subscription_unique"
            ),
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=models.Q(area__isnull=True),
                name="geo_subscription_home_unique",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.topic} {self.area_id or 'home'}"
