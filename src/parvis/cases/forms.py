from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parvis.people.models import Channel

from .access import visible_cases
from .inbox import InboxFilters
from .models import Case, ReplyTemplate, Service, Tag
from .services import REPLYABLE

TEXT_MAX = 20000


def agents():
    """Users who may work on cases: through a role (group) or their own permissions."""
    perm = Q(codename="change_case", content_type__app_label="cases")
    User = get_user_model()
    return (
        User.objects.filter(
            Q(groups__permissions__in=_perm_ids(perm))
            | Q(user_permissions__in=_perm_ids(perm))
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _perm_ids(query):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(query).values("pk")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Everyone")), ("me", _("To me")), ("unassigned", _("Unassigned"))],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, services=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            ("", _("All services")),
            ("0", _("No service yet")),
            *((str(s.pk), s.name) for s in services),
        ]
        self.fields["status"].choices = [
            ("", _("Open (new, open, waiting)")),
            *Case.Status.choices,
            ("all", _("All statuses")),
        ]
        self.fields["tag"].choices = [("", _("All tags")), *((str(t.pk), t.name) for t in tags)]

    def filters(self) -> InboxFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return InboxFilters(
            service=data.get("service"),
            status=data.get("status") or "",
            assigned=data.get("assigned") or "",
            channel=data.get("channel") or "",
            tag=data.get("tag"),
            overdue=bool(data.get("overdue")),
            q=data.get("q") or "",
        )


class ReplyForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Reply template"), queryset=ReplyTemplate.objects.none(), required=False
    )
    body = forms.CharField(
        label=_("Answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "id": "reply-body"}),
    )
    channel = forms.ChoiceField(label=_("Send on"))
    new_status = forms.ChoiceField(label=_("Then set the status to"), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ReplyTemplate.objects.filter(
            Q(service__isnull=True) | Q(service_id=case.service_id)
        )
        self.fields["channel"].choices = [(c.value, c.label) for c in Channel if c in REPLYABLE]
        self.fields["new_status"].choices = [
            ("", _("Waiting for the citizen (default)")),
            *Case.Status.choices,
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    notify = forms.BooleanField(label=_("Tell the citizen"), required=False, initial=True)


class AssignForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.all(), required=False
    )
    agent = AgentChoiceField(label=_("Agent"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents()


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Case.Priority.choices, coerce=int
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas."),
    )

    def names(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data["tags"].split(",") if n.strip()]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class MergeForm(forms.Form):
    reference = forms.CharField(
        label=_("Merge into the case"),
        max_length=20,
        help_text=_("Reference of the case that will hold everything, e.g. 2026-000123."),
    )

    def __init__(self, *args, case: Case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().lstrip("#")
        # A case out of the agent's reach is as unknown as one that does not exist.
        cases = visible_cases(self.user) if self.user is not None else Case.objects.all()
        target = cases.filter(reference=reference).first()
        if target is None:
            raise forms.ValidationError(_("No case has this reference."))
        if target.pk == self.case.pk:
            raise forms.ValidationError(_("A case cannot be merged into itself."))
        if target.merged_into_id:
            raise forms.ValidationError(
                _("This case was itself merged into %(ref)s: merge into that one.")
                % {"ref": target.merged_into.reference}
            )
        self.target = target
        return reference


class IdentifyForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)


class ChatLineForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=2000)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("The message is empty."))
        return text


class ContactLogForm(forms.Form):
    summary = forms.CharField(
        label=_("What about"),
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    open_case = forms.BooleanField(label=_("Something must be done: open a case"), required=False)
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.all(), required=False
    )
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_summary(self):
        summary = " ".join(self.cleaned_data["summary"].split())
        if not summary:
            raise forms.ValidationError(_("This field is required."))
        return summary


def tag_choices():
    return Tag.objects.order_by("name")[:200]
