"""Persons, households, addresses, contact points, consents, facts and the timeline.

Everything another domain knows about a citizen hangs off `Person`; everything that happened
between the citizen and the administration is an `Interaction`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")
    POSTAL = "postal", _("Postal letter")
    PUSH = "push", _("Web push")
    PORTAL = "portal", _("Citizen portal")
    COUNTER = "counter", _("Counter")
    CHAT = "chat", _("Web chat")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNSPECIFIED = "X", _("Unspecified")


class Person(models.Model):
    first_names = models.CharField(_("first names"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    birth_name = models.CharField(_("birth name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=150, blank=True)
    birth_place_code = models.CharField(_("birth place INSEE code"), max_length=5, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    # Stored in full for matching with other administrations; never displayed in full.
    nir = models.CharField(_("social security number (NIR)"), max_length=15, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("view_sensitive_facts", _("Can see sensitive facts (social, health, tax)")),
        ]
        indexes = [models.Index(fields=["last_name", "first_names"])]
        constraints = [
            models.UniqueConstraint(
                fields=["nir"], condition=~models.Q(nir=""), name="person_nir_unique"
            )
        ]

    def __str__(self):
        return f"{self.first_names} {self.last_name.upper()}"

    @property
    def display_name(self) -> str:
        if self.birth_name and self.birth_name.lower() != self.last_name.lower():
            return _("%(name)s, born %(birth)s") % {"name": self, "birth": self.birth_name.upper()}
        return str(self)

    @property
    def masked_nir(self) -> str:
        """Sex and birth year only: enough to tell two homonyms apart, never the number."""
        if not self.nir:
            return ""
        return f"{self.nir[0]} {self.nir[1:3]} •• •• ••• ••• ••"


class Street(models.Model):
    """A street of the Base Adresse Nationale: name, postcode and INSEE town code."""

    name = models.CharField(_("street"), max_length=200)
    name_norm = models.CharField(max_length=200, db_index=True, editable=False)
    postcode = models.CharField(_("postcode"), max_length=5)
    citycode = models.CharField(_("INSEE town code"), max_length=5)
    city = models.CharField(_("town"), max_length=150)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [
            models.UniqueConstraint(fields=["citycode", "name"], name="street_unique_in_town")
        ]

    def __str__(self):
        return f"{self.name}, {self.postcode} {self.city}"


class Address(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="addresses")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    suffix = models.CharField(_("suffix"), max_length=10, blank=True)  # bis, ter, A...
    complement = models.CharField(_("complement"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    ban_id = models.CharField(_("BAN identifier"), max_length=60, blank=True, db_index=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [
            models.Index(fields=["street", "number"]),
            # The map's bounding boxes (selections, grid): measured 3 to 10 x faster at
            # 1,000,000 addresses on PostgreSQL (docs/benchmarks.md).
            models.Index(fields=["latitude", "longitude"], name="people_address_latlon"),
        ]

    def __str__(self):
        return self.label

    @property
    def first_line(self) -> str:
        number = f"{self.number}{' ' + self.suffix if self.suffix else ''} " if self.number else ""
        return f"{number}{self.street.name}"

    @property
    def label(self) -> str:
        return f"{self.first_line}, {self.street.postcode} {self.street.city}"


class Residence(models.Model):
    """A period during which a person lives at an address; `end` empty means today."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residences")
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        ordering = ["-start"]
        indexes = [models.Index(fields=["address", "end"]), models.Index(fields=["person", "end"])]

    def __str__(self):
        return f"{self.address} ({self.start or '…'} – {self.end or '…'})"


class Household(models.Model):
    address = models.ForeignKey(
        Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="households"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return _("Household %(id)s") % {"id": self.pk}


class HouseholdMember(models.Model):
    class Role(models.TextChoices):
        REFERENCE = "reference", _("Reference person")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Child")
        OTHER = "other", _("Other member")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        indexes = [models.Index(fields=["person", "until"])]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class ContactPoint(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        MOBILE = "mobile", _("Mobile phone")
        LANDLINE = "landline", _("Landline")
        POSTAL = "postal", _("Postal address")

    class Status(models.TextChoices):
        OK = "ok", _("Valid")
        BOUNCED = "bounced", _("Bounced")
        INVALID = "invalid", _("Invalid")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=300)
    # E.164 for phones, lower-case for emails: what matching and search compare.
    normalized = models.CharField(max_length=300, db_index=True, editable=False)
    verified = models.BooleanField(_("verified"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="ok")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        indexes = [models.Index(fields=["person", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def display_value(self) -> str:
        from .normalize import format_phone

        if self.kind in (self.Kind.MOBILE, self.Kind.LANDLINE):
            return format_phone(self.normalized)
        return self.value


class Purpose(models.TextChoices):
    """What a message is for; consent is given per purpose and per channel."""

    CASE_UPDATES = "case_updates", _("Updates on my requests")
    PROACTIVE_RIGHTS = "proactive_rights", _("Benefits I may be entitled to")
    DOCUMENT_REMINDERS = "document_reminders", _("Reminders (identity documents, deadlines)")
    ALERTS = "alerts", _("Alerts (safety, works, events)")
    TOWN_NEWS = "town_news", _("News of the town")


class LegalBasis(models.TextChoices):
    """GDPR article 6 bases."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")


class Consent(models.Model):
    """One decision of the citizen for a purpose on a channel. Rows are never updated: the
    latest row for (person, purpose, channel) is the current state, the others its history."""

    class Method(models.TextChoices):
        PORTAL = "portal", _("Citizen portal")
        COUNTER = "counter", _("At the counter")
        PHONE = "phone", _("By phone")
        PAPER = "paper", _("Paper form")
        EMAIL = "email", _("By email")
        IMPORT = "import", _("Imported")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "channel", "-recorded_at"])]

    def __str__(self):
        state = "granted" if self.granted else "withdrawn"
        return f"{self.purpose}/{self.channel}: {state}"


class DataSource(models.Model):
    """Where a fact comes from: another administration, a Parvis process, the citizen."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Administration")
        SYSTEM = "system", _("Parvis")
        CITIZEN = "citizen", _("The citizen")
        AGENT = "agent", _("An agent")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self):
        return self.name


class FactKey(models.Model):
    """The catalogue of what may be known about a person, with its type and sensitivity."""

    class ValueType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes/no")

    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        IDENTITY = "identity", _("Identity documents")
        FAMILY = "family", _("Family")
        HOUSING = "housing", _("Housing")
        EMPLOYMENT = "employment", _("Employment")
        SOCIAL = "social", _("Social")
        HEALTH = "health", _("Health")
        TAX = "tax", _("Tax and income")

    SENSITIVE_CATEGORIES = frozenset({Category.SOCIAL, Category.HEALTH, Category.TAX})

    key = models.SlugField(_("key"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200)
    value_type = models.CharField(_("type"), max_length=10, choices=ValueType.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("fact key")
        verbose_name_plural = _("fact keys")
        ordering = ["category", "label"]

    def __str__(self):
        return self.label

    @property
    def sensitive(self) -> bool:
        return self.category in self.SENSITIVE_CATEGORIES


class Fact(models.Model):
    """One value known about a person, with its provenance.

    The value sits in the typed column of its key's type, so that audiences can filter
    "passport expires in 120 to 180 days" with an index instead of casting text."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="facts")
    key = models.ForeignKey(
        FactKey, on_delete=models.PROTECT, to_field="key", db_column="key", related_name="facts"
    )
    value_text = models.CharField(max_length=300, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="facts")
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    collected_at = models.DateTimeField(_("collected"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            models.Index(fields=["person", "key"]),
            models.Index(fields=["key", "value_date"]),
            models.Index(fields=["key", "value_number"]),
        ]

    def __str__(self):
        return f"{self.key_id}={self.value}"

    @property
    def value(self):
        return {
            FactKey.ValueType.TEXT: self.value_text,
            FactKey.ValueType.NUMBER: self.value_number,
            FactKey.ValueType.DATE: self.value_date,
            FactKey.ValueType.BOOLEAN: self.value_bool,
        }[self.key.value_type]

    @staticmethod
    def value_columns(value_type: str, value) -> dict:
        """The column values for a typed value (already validated)."""
        columns = {"value_text": "", "value_number": None, "value_date": None, "value_bool": None}
        column = {
            FactKey.ValueType.TEXT: "value_text",
            FactKey.ValueType.NUMBER: "value_number",
            FactKey.ValueType.DATE: "value_date",
            FactKey.ValueType.BOOLEAN: "value_bool",
        }[value_type]
        columns[column] = Decimal(value) if column == "value_number" else value
        return columns


class Interaction(models.Model):
    """The timeline: every exchange and event between a person and the administration.

    Other domains write here through `people.services.record_interaction`, with a reference
    (`ref_type`, `ref_id`) to their own object so the timeline can link back to it."""

    class Kind(models.TextChoices):
        MESSAGE_IN = "message_in", _("Message received")
        MESSAGE_OUT = "message_out", _("Message sent")
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit at the counter")
        CASE_EVENT = "case_event", _("Case event")
        JOURNEY_STEP = "journey_step", _("Journey step")
        FACT = "fact", _("Data received")
        CONSENT = "consent", _("Consent")
        NOTE = "note", _("Note")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions")
    occurred_at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    ref_type = models.CharField(max_length=40, blank=True)
    ref_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "-occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}: {self.summary}"


class NameToken(models.Model):
    """One normalised word of a person's names (first, last, birth): the search index."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["token", "person"])]

    def __str__(self):
        return self.token


class TokenVariant(models.Model):
    """Each distinct name token and its one-letter deletions (the SymSpell scheme): looking
    up the deletions of a query word finds every token within one typo, with an index, on
    PostgreSQL and SQLite alike."""

    variant = models.CharField(max_length=60)
    token = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "token"], name="token_variant_unique")
        ]

    def __str__(self):
        return f"{self.variant} → {self.token}"
