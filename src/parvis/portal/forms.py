"""Portal forms: labels, hints and error messages a citizen understands, with the DSFR
classes and the ARIA attributes that tie each error to its field."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.cases.models import Service
from parvis.people.models import Channel
from parvis.people.normalize import normalize_email

from .models import PortalAccount
from .services import PREFERRED_CHANNELS, new_submission_id

MAX_FILES = 10


class DsfrMixin:
    """Adds the DSFR classes to widgets, and after validation marks fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            if isinstance(widget, forms.FileInput):
                css = "fr-upload"
            elif isinstance(widget, forms.Select):
                css = "fr-select"
            else:
                css = "fr-input"
            widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each above the size limit is refused here, before
    anything is sent, with its name in the message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in (super(AttachmentsField, self).clean(d, initial) for d in items) if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(max)s files can be sent at once.") % {"max": MAX_FILES}
            )
        limit = settings.PARVIS_MAX_ATTACHMENT_BYTES
        too_big = [f.name for f in files if f.size > limit]
        if too_big:
            raise forms.ValidationError(
                _("“%(name)s” is larger than %(max)s MB: it cannot be sent. Send a smaller "
                  "file, or several smaller ones.")
                % {"name": too_big[0], "max": limit // (1024 * 1024)}
            )  # fmt: skip
        return files


def attachments_help() -> str:
    return _(
        "Optional. Up to %(count)s files of %(max)s MB each: PDF, images, office documents. "
        "Programs are refused."
    ) % {"count": MAX_FILES, "max": settings.PARVIS_MAX_ATTACHMENT_BYTES // (1024 * 1024)}


class SubmissionMixin(forms.Form):
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", new_submission_id())


# --- accounts -------------------------------------------------------------------------------------


class BirthDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("help_text", _("For example: 1984-03-12"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        if value and value.year < 1880:
            raise forms.ValidationError(_("The birth date is too far in the past."))
        return value


class SignupForm(DsfrMixin, forms.Form):
    first_names = forms.CharField(
        label=_("First names"), max_length=150, help_text=_("All your first names, as on your ID.")
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    birth_date = BirthDateField(label=_("Birth date"))
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send you a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; avoid a common word or your name."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        try:
            return normalize_email(self.cleaned_data["email"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(_("Enter a valid email address.")) from exc

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different."))
        elif first:
            user = get_user_model()(
                email=data.get("email", ""),
                first_name=data.get("first_names", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ConfirmSignupForm(DsfrMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("The one you chose when you signed up."),
    )


class LoginForm(DsfrMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        email = email.strip().lower()
        account = PortalAccount.objects.select_related("user").filter(email=email).first()
        if account is not None and not account.user.is_active and not account.email_verified_at:
            if account.user.check_password(password):
                raise forms.ValidationError(
                    _("Your account is not confirmed yet: click the link we sent to %(email)s.")
                    % {"email": email}
                )
        # An unknown email still goes through the password hasher (same timing).
        username = account.user.username if account else "portal-unknown"
        user = authenticate(self.request, username=username, password=password)
        if user is None or account is None or not account.person_id:
            raise forms.ValidationError(
                _("Wrong email address or password. Check them and try again.")
            )
        self.user = user
        return data

    def get_user(self):
        return self.user


# --- requests -------------------------------------------------------------------------------------


class RequestForm(DsfrMixin, SubmissionMixin):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("In a few words, for example: birth certificate, pothole in my street."),
    )
    text = forms.CharField(
        label=_("Your request"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Explain what you need. Do not send your bank details or passwords."),
    )
    service = forms.ModelChoiceField(
        label=_("Service concerned"),
        queryset=Service.objects.all(),
        required=False,
        empty_label=_("I don't know"),
        help_text=_("Optional: we will send your request to the right service."),
    )
    attachments = AttachmentsField(label=_("Documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class AnonymousRequestForm(RequestForm):
    name = forms.CharField(
        label=_("Your first name and last name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We will send you a link: your request is sent once you click it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["name", "email", "subject", "text", "service", "attachments"]

    def clean_email(self):
        try:
            return normalize_email(self.cleaned_data["email"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(_("Enter a valid email address.")) from exc


class ReplyForm(DsfrMixin, SubmissionMixin):
    text = forms.CharField(
        label=_("Your message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = AttachmentsField(label=_("Documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class CorrectionForm(DsfrMixin, SubmissionMixin):
    text = forms.CharField(
        label=_("What is wrong, and what is right?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: my family quotient changed in January, it is now 540."),
    )


class ChatForm(DsfrMixin, SubmissionMixin):
    text = forms.CharField(
        label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- preferences ----------------------------------------------------------------------------------


class PreferencesForm(DsfrMixin, forms.Form):
    preferred_channel = forms.ChoiceField(
        label=_("How do you prefer to be contacted?"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, grid, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.fields["preferred_channel"].choices = [("", _("No preference"))] + [
            (c, Channel(c).label) for c in PREFERRED_CHANNELS
        ]
        for row in grid:
            for cell in row["cells"]:
                self.fields[cell["name"]] = forms.BooleanField(
                    required=False, initial=cell["granted"]
                )

    def granted(self) -> set[tuple[str, str]]:
        return {
            (row["purpose"], cell["channel"])
            for row in self.grid
            for cell in row["cells"]
            if self.cleaned_data.get(cell["name"])
        }
