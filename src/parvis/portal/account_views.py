"""Sign-up with email confirmation, sign-in, sign-out and password reset for citizens."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import identity
from .access import citizen_account
from .forms import ConfirmSignupForm, DsfrMixin, LoginForm, SignupForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def link_error(request, reason: str, *, retry_url: str = ""):
    return render(
        request, "portal/link_error.html", {"reason": reason, "retry_url": retry_url}, status=400
    )


def signup(request):
    if citizen_account(request.user):
        return redirect("portal:requests")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity.start_signup(
            first_names=data["first_names"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            email=data["email"],
            password=data["password1"],
            request=request,
        )
        request.session["portal_signup_email"] = data["email"]
        return redirect("portal:signup-sent")
    return render(request, "portal/signup.html", {"form": form, **_oidc_context()})


def signup_sent(request):
    return render(
        request,
        "portal/signup_sent.html",
        {
            "email": request.session.get("portal_signup_email", ""),
            "hours": settings.PARVIS_PORTAL_LINK_MAX_AGE // 3600,
        },
    )


def signup_confirm(request, token: str):
    try:
        account = identity.account_for_signup_token(token)
    except identity.LinkError as error:
        return link_error(request, error.reason, retry_url=reverse("portal:signup"))
    if account.email_verified_at:
        messages.info(request, _("Your account is already confirmed: you can sign in."))
        return redirect("portal:login")
    form = ConfirmSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = identity.confirm_signup(token, form.cleaned_data["password"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        except identity.LinkError as error:
            return link_error(request, error.reason, retry_url=reverse("portal:signup"))
        else:
            login(request, account.user, backend=MODEL_BACKEND)
            messages.success(request, _("Your account is confirmed. Welcome!"))
            return redirect("portal:requests")
    return render(request, "portal/signup_confirm.html", {"form": form, "account": account})


def _oidc_context() -> dict:
    return {"oidc_enabled": getattr(settings, "PARVIS_OIDC_ENABLED", False)}


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def login_view(request):
    if citizen_account(request.user):
        return redirect(_safe_next(request, reverse("portal:requests")))
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect(_safe_next(request, reverse("portal:requests")))
    return render(
        request,
        "portal/login.html",
        {"form": form, "next": _safe_next(request, ""), **_oidc_context()},
    )


@require_POST
def logout_view(request):
    id_token = request.session.get("oidc_id_token")
    logout(request)
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if id_token and endpoint and getattr(settings, "PARVIS_OIDC_ENABLED", False):
        # FranceConnect keeps its own session: end it too, and come back to the portal.
        query = urlencode(
            {
                "id_token_hint": id_token,
                "state": get_random_string(32),
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("portal:home")),
            }
        )
        return redirect(f"{endpoint}?{query}")
    messages.info(request, _("You are signed out."))
    return redirect("portal:home")


# --- password reset (Django's views, citizen accounts only) ------------------------------------


class CitizenPasswordResetForm(DsfrMixin, PasswordResetForm):
    def get_users(self, email):
        # Only citizen accounts: an agent's password is not reset from the public portal.
        return (
            user
            for user in super().get_users(email)
            if hasattr(user, "portal_account") and user.portal_account.person_id
        )


class CitizenSetPasswordForm(DsfrMixin, SetPasswordForm):
    pass


password_reset = auth_views.PasswordResetView.as_view(
    form_class=CitizenPasswordResetForm,
    template_name="portal/password_reset.html",
    email_template_name="portal/email/password_reset.txt",
    subject_template_name="portal/email/password_reset_subject.txt",
    success_url=reverse_lazy("portal:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="portal/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=CitizenSetPasswordForm,
    template_name="portal/password_reset_confirm.html",
    success_url=reverse_lazy("portal:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="portal/password_reset_complete.html"
)
