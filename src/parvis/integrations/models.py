"""Imports of other administrations' extracts, record linkage, merges, and API connectors.

Long work is a row (`ImportJob`) that the worker advances and the console shows; every
uncertain match is a row (`MatchCandidate`) an agent decides; every merge is a row
(`MergeRecord`) that holds what it moved, so that it can be undone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.people.models import DataSource, Person


class MappingProfile(models.Model):
    """How to read one source's extract: which column goes to which person field or fact,
    with its type, legal basis and validity. Saved once, reused for every delivery."""

    class Format(models.TextChoices):
        AUTO = "auto", _("Detect")
        CSV = "csv", _("CSV")
        PARQUET = "parquet", _("Parquet")
        JSONL = "jsonl", _("JSON Lines")

    class Encoding(models.TextChoices):
        AUTO = "auto", _("Detect (UTF-8, otherwise Windows-1252/Latin-1)")
        UTF8 = "utf-8", _("UTF-8")
        LATIN1 = "latin-1", _("Latin-1 (ISO-8859-1)")
        CP1252 = "cp1252", _("Windows-1252")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    source = models.ForeignKey(
        DataSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+"
    )
    file_format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.AUTO
    )
    encoding = models.CharField(
        _("encoding"), max_length=10, choices=Encoding.choices, default=Encoding.AUTO
    )
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)  # empty: sniffed
    # [{"column": "QF", "target": "fact:family_quotient", "legal_basis": "...",
    #   "valid_days": 365}, {"column": "NOM", "target": "last_name"}, ...]
    columns = models.JSONField(_("columns"), default=list)
    legal_basis = models.CharField(_("legal basis (default for facts)"), max_length=300, blank=True)
    valid_days = models.PositiveIntegerField(
        _("validity in days (default for facts)"), null=True, blank=True
    )
    auto_link_threshold = models.FloatField(_("automatic link from"), default=0.95)
    review_threshold = models.FloatField(_("review from"), default=0.5)
    create_unmatched = models.BooleanField(_("create a person when nobody matches"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        DUPLICATE = "duplicate", _("Already imported")

    profile = models.ForeignKey(
        MappingProfile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="jobs"
    )
    file = models.FileField(_("file"), upload_to="integrations/imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=300)
    size = models.BigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    phase = models.CharField(_("phase"), max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.BigIntegerField(_("rows read"), default=0)
    valid_rows = models.BigIntegerField(_("valid rows"), default=0)
    error_count = models.BigIntegerField(_("rows with errors"), default=0)
    duplicate_rows = models.BigIntegerField(_("duplicate rows"), default=0)
    unchanged = models.BigIntegerField(_("unchanged records"), default=0)
    linked = models.BigIntegerField(_("linked to a person"), default=0)
    created = models.BigIntegerField(_("new persons"), default=0)
    review = models.BigIntegerField(_("sent to review"), default=0)
    facts_written = models.BigIntegerField(_("facts written"), default=0)
    # The first errors, line by line: [{"line": 12, "column": "DATE_NAISS", "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Written with the progress: a running job whose worker died stops beating, and is
    # taken over (see imports.run_import and recover_stale_jobs).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        permissions = [("run_import", _("Can import extracts from other administrations"))]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.DUPLICATE)


class ImportedRecord(models.Model):
    """One record of a source already taken in: re-importing it unchanged does nothing."""

    profile = models.ForeignKey(MappingProfile, on_delete=models.CASCADE, related_name="+")
    record_key = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "record_key"], name="imported_record_unique")
        ]

    def __str__(self):
        return f"{self.profile_id}:{self.record_key}"


class MatchCandidate(models.Model):
    """A match the engine was not sure of: an agent compares side by side and decides."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Imported record")
        DUPLICATE = "duplicate", _("Possible duplicate")

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        LINKED = "linked", _("Same person")
        NEW = "new", _("Different person")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, null=True, blank=True, related_name="candidates"
    )
    record_key = models.CharField(max_length=64, blank=True)
    # The incoming identity as the source wrote it (imports) and what to write once decided.
    record = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # The best candidate, and for duplicates the other person of the pair.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("person")
    )
    other_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Every candidate above the review threshold: [{"person_id": 3, "probability": 0.91}]
    alternatives = models.JSONField(default=list, blank=True)
    probability = models.FloatField(_("probability"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    result_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("match to review")
        verbose_name_plural = _("matches to review")
        ordering = ["status", "-probability", "id"]
        indexes = [models.Index(fields=["status", "kind"])]
        permissions = [("review_match", _("Can decide uncertain matches and merge duplicates"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} ({self.probability:.2f})"


class MergeRecord(models.Model):
    """Two files merged into one: what moved, so that the merge can be undone."""

    kept = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    kept_id_value = models.BigIntegerField()
    dropped_id = models.BigIntegerField()
    # The dropped person's row as it was, and the kept person's fields the merge filled.
    dropped_snapshot = models.JSONField(default=dict)
    kept_before = models.JSONField(default=dict)
    # {"app_label.model.field": [ids moved from dropped to kept]}
    moved = models.JSONField(default=dict)
    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"{self.dropped_id} → {self.kept_id_value}"


class LinkageModel(models.Model):
    """A trained splink model (its JSON), reused instead of training at every import."""

    name = models.SlugField(max_length=60, unique=True)
    model = models.JSONField()
    trained_at = models.DateTimeField(auto_now=True)
    trained_on = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.name


class Connector(models.Model):
    """An API of another administration: its address and limits. The token is never stored
    here, only the name of the environment variable that holds it."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    base_url = models.URLField(_("base URL"))
    token_env = models.CharField(_("token environment variable"), max_length=100)
    recipient = models.CharField(_("recipient SIRET"), max_length=14)
    requests_per_second = models.FloatField(_("requests per second"), default=20)
    timeout_seconds = models.FloatField(_("timeout (s)"), default=10)
    cache_seconds = models.PositiveIntegerField(_("cache (s)"), default=86400)

    class Meta:
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")

    def __str__(self):
        return self.name


class ConnectorCall(models.Model):
    """One call to another administration's API: for what, by whom, about whom, and how it
    went. Parameters are not kept (they are personal data); their hash finds the cache."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Answered")
        CACHED = "cached", _("From cache")
        NOT_FOUND = "not_found", _("Not found")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        ERROR = "error", _("Error")
        TIMEOUT = "timeout", _("Timeout")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="calls")
    endpoint = models.CharField(_("endpoint"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.endpoint} ({self.outcome})"


class ConnectorCache(models.Model):
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    response = models.JSONField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "key"], name="connector_cache_unique")
        ]

    def __str__(self):
        return self.key
