"""Services (teams and their queues), cases, messages and attachments.

Every request, whatever the channel, becomes `Message` rows in a `Case`. A message keeps
its raw source (the .eml, the webhook's JSON) so nothing is lost in normalisation."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.people.models import Channel, Person


class Service(models.Model):
    """A team of the administration (civil status, social action, roads...) with its queue."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("team email"), blank=True)
    sla_business_days = models.PositiveSmallIntegerField(
        _("answer within (business days)"), default=5
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), related_name="services", blank=True
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Open statuses, spelled out for the partial indexes below (Case.OPEN_STATUSES is defined
# inside the class, after Meta needs it).
OPEN_Q = models.Q(status__in=["new", "open", "waiting"])


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for the citizen")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("citizen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="cases")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    # When the sender is not identified: who the message may be from, for the agent to pick
    # (person ids), or what a new person would look like (name, email, phone).
    candidate_ids = models.JSONField(default=list, blank=True)
    proposed_person = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at", "-id"]
        permissions = [("view_all_cases", _("Can see the cases of every service"))]
        indexes = [
            models.Index(fields=["service", "status", "-updated_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["-updated_at", "-id"]),
            # The inbox lists open cases by answer deadline; closed cases are most of the
            # table (years of history), so these indexes hold only the open ones and stay
            # small: the first page is read straight from the index, whatever the filter.
            models.Index(fields=["due_at", "id"], condition=OPEN_Q, name="case_open_due"),
            models.Index(
                # assignee last: the queue counts are read from this index alone
                fields=["service", "due_at", "id", "assignee"],
                condition=OPEN_Q,
                name="case_open_service_due",
            ),
            models.Index(
                fields=["assignee", "due_at", "id"], condition=OPEN_Q, name="case_open_assignee_due"
            ),
            models.Index(
                fields=["-updated_at"],
                condition=OPEN_Q & models.Q(channel="chat"),
                name="case_open_chat",
            ),
            # Closed and resolved cases are listed by last activity.
            models.Index(fields=["status", "-updated_at", "-id"], name="case_status_updated"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")
        NOTE = "note", _("Internal note")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sender = models.CharField(_("from"), max_length=300, blank=True)  # address or number
    sender_name = models.CharField(max_length=200, blank=True)
    recipient = models.CharField(_("to"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    # Already sanitised with nh3 when stored: templates may mark it safe.
    body_html = models.TextField(blank=True)
    # Email threading and de-duplication; for other channels the provider's message id.
    message_id = models.CharField(max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    raw = models.FileField(upload_to="raw/%Y/%m/", blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.RECEIVED)
    delivery_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    # Notes are read by the citizen only when marked so; replies and received messages are.
    visible_to_citizen = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "message_id"],
                condition=~models.Q(message_id=""),
                name="message_unique_per_channel",
            )
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_channel_display()}: {self.subject}"


class Attachment(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, blank=True)  # from the bytes
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    refusal_reason = models.CharField(_("why it was refused"), max_length=300, blank=True)
    antivirus = models.CharField(max_length=100, blank=True)  # "clean", "FOUND <name>", ""

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename


class CaseEvent(models.Model):
    """What happened to a case besides messages: status changes, assignment, merge..."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(max_length=30)  # status, assign, service, merge, tag, priority...
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind}: {self.summary}"


class ReplyTemplate(models.Model):
    """A macro: a ready answer with variables ({{ person.first_names }}, {{ case.reference }})."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="templates"
    )
    body = models.TextField(_("text"))
    set_status = models.CharField(
        _("then set status"), max_length=10, choices=Case.Status.choices, blank=True
    )

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseSequence(models.Model):
    """One row per year: the last case number given, for references like 2026-000123."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
