"""Eligibility: local rules declared as data, eligibility runs (jobs are rows), their results,
and saved selections of probably-entitled people (what the audiences app will consume)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalRule(models.Model):
    """A benefit declared as data in the rule format of `rules.py` (YAML), edited in the
    console or imported from the State's aides-jeunes simulator."""

    class Origin(models.TextChoices):
        LOCAL = "local", _("Local rule")
        AIDES_JEUNES = "aides_jeunes", _("Imported from aides-jeunes")

    code = models.SlugField(_("code"), max_length=120, unique=True)
    label = models.CharField(_("label"), max_length=300)
    origin = models.CharField(_("origin"), max_length=15, choices=Origin.choices, default="local")
    # The YAML as written by its author: what the console edits and shows.
    source = models.TextField(_("rule (YAML)"))
    # The validated, normalised definition that the evaluator compiles.
    definition = models.JSONField(_("definition"))
    enabled = models.BooleanField(_("enabled"), default=True)
    institution = models.CharField(_("institution"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("local rule")
        verbose_name_plural = _("local rules")
        ordering = ["origin", "label"]

    def __str__(self):
        return self.label


class EligibilityRun(models.Model):
    """One computation of eligibility for a period: a row with status and progress that the
    console shows while a worker advances it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.DateField(_("period (month)"))
    benefits = models.JSONField(_("benefits"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="pending")
    households_total = models.PositiveIntegerField(_("households"), default=0)
    households_done = models.PositiveIntegerField(_("households done"), default=0)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility run")
        verbose_name_plural = _("eligibility runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.period:%Y-%m} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.households_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.households_done / self.households_total))


class EligibilityResult(models.Model):
    """Whether one household (national benefits, computed per family by OpenFisca-France) or
    one person (local rules) is probably entitled to a benefit for a month, with the inputs
    used and an explanation a citizen can read."""

    class Status(models.TextChoices):
        ELIGIBLE = "eligible", _("Probably entitled")
        NOT_ELIGIBLE = "not_eligible", _("Not entitled")
        INSUFFICIENT = "insufficient_data", _("Insufficient data")

    run = models.ForeignKey(
        EligibilityRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="results"
    )
    benefit = models.CharField(_("benefit"), max_length=130)
    period = models.DateField(_("period (month)"))
    # The person the result is about: the claimant (first parent) of the family for national
    # benefits, the person for local rules.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="eligibility_results"
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="eligibility_results",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    amount = models.DecimalField(
        _("estimated monthly amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # From the facts: does the household already receive it? None when no fact says so.
    receives = models.BooleanField(_("already receives it"), null=True, blank=True)
    inputs = models.JSONField(_("inputs used"), default=dict)
    explanation = models.TextField(_("explanation"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("eligibility result")
        verbose_name_plural = _("eligibility results")
        indexes = [
            models.Index(fields=["benefit", "period", "status"]),
            models.Index(fields=["person", "period"]),
            models.Index(fields=["household", "period"]),
        ]

    def __str__(self):
        return f"{self.benefit} {self.period:%Y-%m} {self.status}"


class SavedSelection(models.Model):
    """People found probably entitled to a benefit and not receiving it, in an area: the
    "make it an audience" button of the non-take-up report stores one of these (its history)
    together with an `audiences.Audience` whose "eligibility" condition replays the same
    criteria (`services.make_audience`); `people()` replays them here."""

    name = models.CharField(_("name"), max_length=200)
    benefit = models.CharField(_("benefit"), max_length=130)
    period = models.DateField(_("period (month)"))
    area_kind = models.CharField(_("area kind"), max_length=20, blank=True)
    area_value = models.CharField(_("area"), max_length=200, blank=True)
    person_count = models.PositiveIntegerField(_("people"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved selection")
        verbose_name_plural = _("saved selections")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    def people(self):
        from .services import unclaimed_people

        return unclaimed_people(self.benefit, self.period, self.area_kind, self.area_value)
