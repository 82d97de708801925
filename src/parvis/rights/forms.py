from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LocalRule
from .rules import RuleError, parse_rule

AREA_CHOICES = [
    ("street", _("Street")),
    ("postcode", _("Postcode")),
    ("commune", _("Town")),
]


class RuleForm(forms.Form):
    source = forms.CharField(
        label=_("Rule (YAML)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "fr-input", "spellcheck": "false"}),
        max_length=20_000,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, instance: LocalRule | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_source(self):
        source = self.cleaned_data["source"]
        try:
            self.definition = parse_rule(source)
        except RuleError as exc:
            # Every problem at once, each with its place in the rule.
            raise forms.ValidationError(exc.errors) from None
        others = LocalRule.objects.filter(code=self.definition["code"])
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("code: another rule already uses “%(code)s”.") % {"code": self.definition["code"]}
            )
        return source


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Month"), required=False)
    area = forms.ChoiceField(label=_("By"), choices=AREA_CHOICES, required=False)
    benefit = forms.ChoiceField(label=_("Benefit"), required=False)

    def __init__(self, *args, periods=(), benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(f"{p:%Y-%m}", f"{p:%m/%Y}") for p in periods]
        self.fields["benefit"].choices = [("", _("All benefits")), *benefits]


class RunForm(forms.Form):
    period = forms.CharField(
        label=_("Month (YYYY-MM)"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"class": "fr-input", "placeholder": "2025-06"}),
    )

    def clean_period(self):
        from .services import parse_period

        try:
            return parse_period(self.cleaned_data["period"] or None)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class SelectionForm(forms.Form):
    benefit = forms.CharField(max_length=130)
    period = forms.CharField(max_length=7)
    area_kind = forms.ChoiceField(choices=[("", "")] + AREA_CHOICES, required=False)
    area_value = forms.CharField(max_length=200, required=False)
