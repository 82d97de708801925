"""Places where citizens are received, the motives they come for, when the place is open and
which agents receive, and the appointments themselves.

A slot is not a row: it is computed from the opening hours, the motive's duration, the
agents available and the appointments already booked (see `services.slots`). Booking locks
the place's row, so two citizens taking the last seat of a slot at once cannot both get it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.cases.models import Service
from parvis.people.models import Person


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Place(models.Model):
    """A counter where citizens are received (town hall, annex), run by a service."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("code"), max_length=50, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
    )
    active = models.BooleanField(_("open to booking"), default=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Motive(models.Model):
    """What the citizen comes for: its duration sets the slots; its documents go into the
    reminder; booking it may record a dated fact (e.g. passport_appointment_on)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="motives")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=150)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    documents = models.TextField(_("documents to bring (one per line)"), blank=True)
    fact_key = models.CharField(_("fact recorded on booking (date)"), max_length=60, blank=True)
    active = models.BooleanField(_("open to booking"), default=True)

    class Meta:
        verbose_name = _("motive")
        verbose_name_plural = _("motives")
        ordering = ["place", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "code"], name="motive_place_code"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5), name="motive_duration_min"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class OpeningHours(models.Model):
    """One opening range of a weekday (a day may have two: morning and afternoon)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["place", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="open_range")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(models.Model):
    """A day the place is closed besides French public holidays (which always close it)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["place", "day"], name="closure_day")]

    def __str__(self):
        return f"{self.place} {self.day:%Y-%m-%d}"


class Availability(models.Model):
    """An agent receives at a place on a weekday between two hours; each agent available
    during a slot is one seat (the slot's capacity). `absent_from`/`absent_until` mark leave."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="availabilities")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="availabilities",
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    absent_from = models.DateField(_("absent from"), null=True, blank=True)
    absent_until = models.DateField(_("absent until"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agents' availability")
        ordering = ["place", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="availability_range"
            )
        ]

    def __str__(self):
        return f"{self.agent} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def absent_on(self, day) -> bool:
        return bool(
            self.absent_from and self.absent_from <= day <= (self.absent_until or self.absent_from)
        )


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Citizen portal")
        LINK = "link", _("Link in a message")
        CONSOLE = "console", _("Agent")

    # The statuses that hold a seat.
    HOLDING = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="appointments")
    motive = models.ForeignKey(Motive, on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    source = models.CharField(_("booked from"), max_length=10, choices=Source.choices)
    journey = models.ForeignKey(
        "journeys.Journey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["place", "start"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["person", "start"]),
        ]
        constraints = [
            # Nobody holds two seats at the same moment (a double click books once).
            models.UniqueConstraint(
                fields=["person", "start"],
                condition=models.Q(status__in=["booked", "attended", "no_show"]),
                name="appointment_person_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appt_range"
            ),
        ]

    def __str__(self):
        return f"{self.motive.name} {self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"
