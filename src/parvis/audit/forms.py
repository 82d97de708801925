from django import forms
from django.utils.translation import gettext_lazy as _


class AccessLogSearchForm(forms.Form):
    username = forms.CharField(label=_("Agent (username)"), required=False, max_length=150)
    person_id = forms.IntegerField(label=_("Person number"), required=False, min_value=1)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
