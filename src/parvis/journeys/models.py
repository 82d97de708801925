"""Journeys, their versions and enrolments; the outbound messages (`Dispatch`) every
producer hands to the dispatch gate, the gate's decisions and suppression list; engagement
events; message templates; web push subscriptions; daily letter batches.

The gate's rows live here rather than in `channels` so that the channels app keeps no
migrations of its own while the inbox work is in flight there; `parvis.channels.gate` reaches
them lazily (see its docstring)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parvis.audiences.models import Audience
from parvis.people.models import Channel, Person, Purpose


def new_token() -> str:
    return secrets.token_urlsafe(16)


class MessageTemplate(models.Model):
    """One message for one channel in one language; `code` groups the channels and languages
    of the same message ("passport-m6")."""

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, default="fr")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language"], name="message_template_unique"
            )
        ]

    def __str__(self):
        return f"{self.code} ({self.channel}, {self.language})"


class Journey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Manual")
        SCHEDULE = "schedule", _("From the audience, on a schedule")
        FACT_CHANGED = "fact_changed", _("When a fact changes")
        CASE_CLOSED = "case_closed", _("When a case is closed")

    class Reentry(models.TextChoices):
        NEVER = "never", _("Never: once per person")
        AFTER_DAYS = "after_days", _("After a number of days")
        AFTER_EXIT = "after_exit", _("As soon as the previous run ended")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    audience = models.ForeignKey(
        Audience, verbose_name=_("audience"), on_delete=models.PROTECT, null=True, blank=True
    )
    trigger = models.CharField(
        _("trigger"), max_length=15, choices=Trigger.choices, default="manual"
    )
    trigger_fact_key = models.CharField(_("fact that triggers"), max_length=60, blank=True)
    schedule_hours = models.PositiveIntegerField(_("enrol every (hours)"), default=24)
    last_enrolled_at = models.DateTimeField(null=True, blank=True)
    reentry = models.CharField(
        _("re-entry"), max_length=12, choices=Reentry.choices, default="never"
    )
    reentry_days = models.PositiveIntegerField(_("re-entry after (days)"), default=365)
    current_version = models.ForeignKey(
        "JourneyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name"]
        permissions = [("operate_journey", _("Can take over journeys (pause, skip, send)"))]

    def __str__(self):
        return self.name


class JourneyVersion(models.Model):
    """The steps of a journey as they were at one edit. Never changed once saved: editing a
    journey adds a version; enrolments keep the version they started with."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    steps = models.JSONField()
    goal = models.JSONField(null=True, blank=True)  # an audience filter tree: exit when met
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "number"], name="journey_version_unique")
        ]

    def __str__(self):
        return f"{self.journey} v{self.number}"

    def step(self, step_id: str) -> dict | None:
        return next((s for s in self.steps if s["id"] == step_id), None)

    def next_step_id(self, step_id: str) -> str | None:
        ids = [s["id"] for s in self.steps]
        index = ids.index(step_id)
        step = self.steps[index]
        if step.get("next"):
            return step["next"]
        return ids[index + 1] if index + 1 < len(ids) else None


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        PAUSED = "paused", _("Paused by an agent")
        COMPLETED = "completed", _("Completed")
        GOAL = "goal", _("Goal reached")
        EXITED = "exited", _("Exited")

    LIVE = ("active", "paused")

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="enrolments")
    version = models.ForeignKey(JourneyVersion, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default="active")
    step_id = models.CharField(max_length=40, blank=True)
    step_entered_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveIntegerField(default=0)  # part of every send key
    next_run_at = models.DateTimeField(null=True, blank=True)
    # 0-99, fixed at entry: picks the A/B variant of every send step.
    bucket = models.PositiveSmallIntegerField(default=0)
    entered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    entry_reason = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [
            models.Index(fields=["status", "next_run_at"]),
            models.Index(fields=["journey", "status", "step_id"]),
            models.Index(fields=["person", "journey"]),
        ]
        constraints = [
            # At most one live enrolment per person and journey, whatever the re-entry rule.
            models.UniqueConstraint(
                fields=["journey", "person"],
                condition=Q(status__in=["active", "paused"]),
                name="enrolment_one_live",
            )
        ]

    def __str__(self):
        return f"{self.person} in {self.journey} ({self.status})"


class StepRun(models.Model):
    """One step one enrolment went through: the journey's history and its funnel."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="runs")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    outcome = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        indexes = [models.Index(fields=["journey", "step_id"])]
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.step_id}: {self.outcome}"


class AgentTask(models.Model):
    """Work a journey asks of an agent ("call this person, they did not answer")."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="tasks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("task"), max_length=300)
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agent task")
        verbose_name_plural = _("agent tasks")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "title"], name="agent_task_once")
        ]

    def __str__(self):
        return self.title


class Dispatch(models.Model):
    """One outbound message through the gate: a row before it leaves, so that a crashed
    worker loses nothing and repeats nothing.

    `send_key` is unique: a journey uses "e<enrolment>:<step>", so a step re-run after a
    crash finds its message already there instead of writing a second one."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DEFERRED = "deferred", _("Deferred (quiet hours)")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused by the gate")
        UNCERTAIN = "uncertain", _("Interrupted while sending: not re-sent")
        BOUNCED = "bounced", _("Bounced (delivery status notification)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dispatches")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    safety = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, default="fr")
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default="queued")
    reason = models.CharField(max_length=40, blank=True)  # the gate's reason when refused
    not_before = models.DateTimeField(null=True, blank=True)
    send_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    source = models.CharField(max_length=40, blank=True)  # journey, agent, case, alert…
    journey = models.ForeignKey(
        Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="dispatches"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="dispatches"
    )
    step_id = models.CharField(max_length=40, blank=True)
    variant = models.CharField(max_length=10, blank=True)
    template_code = models.CharField(max_length=60, blank=True)
    token = models.CharField(max_length=32, default=new_token, unique=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    provider_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claim = models.CharField(max_length=32, blank=True)  # the delivery batch holding it
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(fields=["status", "not_before"]),
            models.Index(fields=["person", "sent_at"]),
            models.Index(fields=["journey", "step_id"]),
            models.Index(fields=["claim"]),
        ]

    def __str__(self):
        return f"{self.channel} to {self.person_id} ({self.status})"


class GateDecision(models.Model):
    """Every decision of the dispatch gate, allowed or not, with its reason."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    purpose = models.CharField(max_length=30)
    allowed = models.BooleanField()
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    defer_until = models.DateTimeField(null=True, blank=True)
    safety = models.BooleanField(default=False)
    source = models.CharField(max_length=40, blank=True)
    journey = models.ForeignKey(
        Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["journey", "allowed", "reason"]),
            models.Index(fields=["person", "-at"]),
        ]

    def __str__(self):
        return f"{self.channel}/{self.purpose}: {self.reason}"


class Suppression(models.Model):
    """An address never to write to again (for one purpose, or for all when `purpose` is
    empty): hard bounce, invalid number, one-click unsubscribe, complaint."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        INVALID = "invalid", _("Invalid address or number")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by an agent")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=300)  # normalised like ContactPoint.normalized
    purpose = models.CharField(max_length=30, blank=True)
    reason = models.CharField(max_length=15, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "purpose"], name="suppression_unique"
            )
        ]

    def __str__(self):
        return f"{self.channel} {self.address} ({self.reason})"


class EngagementEvent(models.Model):
    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        REPLIED = "replied", _("Replied")
        BOOKED = "booked", _("Booked an appointment")
        GOAL = "goal", _("Goal reached")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    journey = models.ForeignKey(
        Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["person", "kind", "at"]),
            models.Index(fields=["journey", "kind"]),
        ]

    def __str__(self):
        return f"{self.kind} ({self.person_id})"


class DigestItem(models.Model):
    """An informational message the contact pressure cap would have dropped, kept for the
    person's next periodic digest (one e-mail gathering them, see `digest.py`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    journey = models.ForeignKey(
        Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    send_key = models.CharField(max_length=120, unique=True)  # the step's, never twice
    created_at = models.DateTimeField()
    digest = models.ForeignKey(
        Dispatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="digest_items"
    )

    class Meta:
        indexes = [models.Index(fields=["digest", "created_at"])]

    def __str__(self):
        return f"digest item for {self.person_id}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (RFC 8030/8291), given by a portal user who opted in."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.endpoint


class LetterBatch(models.Model):
    """The day's postal letters, rendered into one printable PDF."""

    day = models.DateField(unique=True)
    file = models.FileField(upload_to="letters/", blank=True)
    letters = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return str(self.day)


class Letter(models.Model):
    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="letter")
    day = models.DateField(db_index=True)
    batch = models.ForeignKey(
        LetterBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    def __str__(self):
        return f"letter {self.dispatch_id}"
