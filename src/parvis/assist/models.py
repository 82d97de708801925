"""What the AI assist keeps: model versions with their measured quality, every suggestion
made (with the human decision on it), and the knowledge base."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """One trained model (or one configured model, such as an LLM endpoint), with metrics."""

    class Kind(models.TextChoices):
        TRIAGE = "triage", _("Triage (service, urgency)")
        SEARCH = "search", _("Knowledge-base search")
        DRAFT = "draft", _("Reply drafts")
        DOCUMENTS = "documents", _("Document recognition")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    algorithm = models.CharField(_("method"), max_length=200, blank=True)
    # Relative to MEDIA_ROOT; empty for models that are not files (search, LLM endpoint).
    file = models.CharField(max_length=300, blank=True)
    data_hash = models.CharField(max_length=64, blank=True)
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    training_size = models.PositiveIntegerField(_("training examples"), default=0)
    train_seconds = models.FloatField(default=0)
    metrics = models.JSONField(_("measured quality"), default=dict, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self):
        return f"{self.name} #{self.pk}"

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.pk}"


class Suggestion(models.Model):
    """Anything the AI proposed, with its inputs, output, explanation and what a person did
    with it. Nothing here is deleted: it is the transparency log."""

    class Kind(models.TextChoices):
        TRIAGE = "triage", _("Routing")
        LINK_CASE = "link_case", _("Same request as another case")
        LINK_PERSON = "link_person", _("Sender named in the text")
        ARTICLES = "articles", _("Knowledge-base articles")
        DRAFT = "draft", _("Reply draft")
        DOCUMENT = "document", _("Attached document")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for an agent")
        AUTO = "auto", _("Applied automatically (can be changed)")
        ACCEPTED = "accepted", _("Accepted")
        EDITED = "edited", _("Accepted after editing")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="ai_suggestions", null=True
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="suggestions"
    )
    model_label = models.CharField(_("model"), max_length=200, blank=True)
    input_ref = models.CharField(_("input"), max_length=200, blank=True)  # "message:12"
    output = models.JSONField(_("output"), default=dict)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    # Drafts: the text the agent sent, and how far it is from the draft (0 = unchanged, 1 =
    # rewritten), normalised Levenshtein distance.
    final_text = models.TextField(blank=True)
    edit_distance = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("AI suggestion")
        verbose_name_plural = _("AI suggestions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "kind", "-created_at"]),
            models.Index(fields=["kind", "decision"]),
        ]
        permissions = [
            ("use_assist", _("Can see and act on AI suggestions")),
            ("train_model", _("Can train and evaluate AI models")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_decision_display()})"


class Article(models.Model):
    """A knowledge-base article: a service-public.fr fact sheet or a page of the town hall."""

    class LifeMoment(models.TextChoices):
        EXPECTING_CHILD = "expecting_child", _("I am expecting a child")
        MOVING = "moving", _("I am moving")
        STUDYING = "studying", _("I am studying")
        SCHOOLING = "schooling", _("My child goes to school")
        MARRIAGE = "marriage", _("I am getting married or entering a civil partnership")
        DEATH = "death", _("I lost a loved one")
        JOB_LOSS = "job_loss", _("I lost my job")
        RETIRING = "retiring", _("I am retiring or ageing")
        BUILDING = "building", _("I am building or renovating")

    external_id = models.CharField(_("source reference"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    life_moments = models.JSONField(_("life moments"), default=list, blank=True)
    services = models.ManyToManyField(
        "cases.Service", verbose_name=_("services"), blank=True, related_name="articles"
    )
    theme = models.CharField(_("theme"), max_length=150, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    # Folded, lightly stemmed words of title and body: what SQLite's FTS5 indexes (PostgreSQL
    # indexes to_tsvector('french', ...) of title and body directly).
    search_text = models.TextField(blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge base")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def is_valid(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()

    @property
    def attribution(self) -> str:
        if self.source and self.licence:
            return f"Source : {self.source} — {self.licence}"
        return f"Source : {self.source}" if self.source else ""
