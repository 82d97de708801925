"""Citizen accounts: sign-up with a confirmed email, the signed links the portal sends, and
linking an account (local or FranceConnect) to the citizen's file.

A new account is linked to an existing person only when exactly one person has that email
as a contact point AND the same birth date; otherwise a new person is created. Matching on
the email alone would hand someone's file to whoever shares their mailbox (a couple, a
family address), and matching on names is for agents, who can merge afterwards."""

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from parvis.people.models import ContactPoint, Person
from parvis.people.normalize import normalize_email
from parvis.people.services import add_contact_point, create_person

from .models import PortalAccount


class LinkError(Exception):
    """An e-mailed link that cannot be used: `reason` is "expired" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- signed links ------------------------------------------------------------------------------


def make_link_token(kind: str, value) -> str:
    return signing.dumps(value, salt=f"parvis.portal.{kind}", compress=True)


def read_link_token(kind: str, token: str):
    try:
        return signing.loads(
            token, salt=f"parvis.portal.{kind}", max_age=settings.PARVIS_PORTAL_LINK_MAX_AGE
        )
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None


def absolute_url(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return f"http://{settings.ALLOWED_HOSTS[0]}{path}"


def send_portal_email(to: str, subject: str, template: str, context: dict) -> None:
    """Transactional mail (links the citizen asked for), not a message about a case: it
    goes straight out, without the consent checks of the dispatch gate. Nothing typed in
    the form is copied into it: the address is not proven yet, and a mail from the town
    hall carrying a stranger's text would be a gift to phishers."""
    body = render_to_string(template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def new_username() -> str:
    # Opaque: citizens sign in with their email; this never collides with an agent's login.
    return f"portal-{uuid.uuid4().hex}"


# --- sign-up -----------------------------------------------------------------------------------


def start_signup(
    *,
    first_names: str,
    last_name: str,
    birth_date: date,
    email: str,
    password: str,
    request=None,
) -> None:
    """Create the (inactive) account and mail the confirmation link. The answer is the same
    whether or not the email already has an account, so the form reveals nothing."""
    email = normalize_email(email)
    account = PortalAccount.objects.filter(email=email).select_related("user").first()
    if account is not None and account.email_verified_at:
        send_portal_email(
            email,
            _("Your citizen account"),
            "portal/email/account_exists.txt",
            {
                "login_url": absolute_url(request, reverse("portal:login")),
                "reset_url": absolute_url(request, reverse("portal:password-reset")),
            },
        )
        return
    User = get_user_model()
    with transaction.atomic():
        if account is None:
            user = User.objects.create_user(
                username=new_username(),
                email=email,
                password=password,
                first_name=first_names[:150],
                last_name=last_name[:150],
                is_active=False,
            )
            account = PortalAccount(user=user, email=email)
        else:
            # A sign-up never confirmed: the latest details and password win.
            user = account.user
            user.set_password(password)
            user.first_name, user.last_name = first_names[:150], last_name[:150]
            user.save()
        account.first_names, account.last_name = first_names, last_name
        account.birth_date = birth_date
        account.save()
    token = make_link_token("signup", {"a": account.pk, "e": email})
    send_portal_email(
        email,
        _("Confirm your citizen account"),
        "portal/email/signup_confirm.txt",
        {
            "url": absolute_url(request, reverse("portal:signup-confirm", args=[token])),
            "hours": settings.PARVIS_PORTAL_LINK_MAX_AGE // 3600,
        },
    )


def account_for_signup_token(token: str) -> PortalAccount:
    data = read_link_token("signup", token)
    if not isinstance(data, dict):
        raise LinkError("invalid")
    account = (
        PortalAccount.objects.select_related("user")
        .filter(pk=data.get("a"), email=data.get("e"))
        .first()
    )
    if account is None:
        raise LinkError("invalid")
    return account


def confirm_signup(token: str, password: str) -> PortalAccount:
    """Activate the account behind the link. The password chosen at sign-up is asked again:
    a link clicked by someone who did not sign up (an account opened in their name by
    another) activates nothing."""
    account = account_for_signup_token(token)
    if account.email_verified_at:
        return account
    if not account.user.check_password(password):
        raise ValidationError({"password": _("This is not the password chosen at sign-up.")})
    with transaction.atomic():
        account = PortalAccount.objects.select_for_update().get(pk=account.pk)
        if account.email_verified_at:
            return account
        account.person = find_or_create_person(
            email=account.email,
            birth_date=account.birth_date,
            first_names=account.first_names,
            last_name=account.last_name,
        )
        account.email_verified_at = timezone.now()
        account.save(update_fields=["person", "email_verified_at"])
        account.user.is_active = True
        account.user.save(update_fields=["is_active"])
    return account


def find_or_create_person(
    *, email: str, birth_date: date | None, first_names: str, last_name: str, birth_name=""
) -> Person:
    """The person this proven email and birth date designate, or a new one."""
    email = normalize_email(email)
    matches = list(
        Person.objects.filter(
            contact_points__kind=ContactPoint.Kind.EMAIL,
            contact_points__normalized=email,
            birth_date=birth_date,
        ).distinct()[:2]
    ) if birth_date else []  # fmt: skip
    if len(matches) == 1 and not PortalAccount.objects.filter(person=matches[0]).exists():
        person = matches[0]
        person.contact_points.filter(kind=ContactPoint.Kind.EMAIL, normalized=email).update(
            verified=True
        )
        return person
    person = create_person(
        first_names=first_names, last_name=last_name, birth_name=birth_name, birth_date=birth_date
    )
    add_contact_point(person, ContactPoint.Kind.EMAIL, email, verified=True)
    return person


# --- FranceConnect -----------------------------------------------------------------------------


def link_oidc_identity(claims: dict):
    """The user for a FranceConnect identity (claims: sub, given_name, family_name,
    preferred_username, birthdate, email), creating the account and linking the person the
    same way as a local sign-up. FranceConnect proves the identity, so the email is taken as
    confirmed."""
    sub = str(claims["sub"])[:255]
    email = normalize_email(claims["email"])
    account = PortalAccount.objects.select_related("user").filter(oidc_sub=sub).first()
    if account is not None and account.person_id:
        return account.user
    birth_date = parse_date(str(claims.get("birthdate") or "")) if claims.get("birthdate") else None
    given = (claims.get("given_name") or "").strip()
    family = (claims.get("family_name") or "").strip()
    usage = (claims.get("preferred_username") or "").strip()
    User = get_user_model()
    with transaction.atomic():
        account = account or (
            PortalAccount.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(email=email)
            .first()
        )
        if account is None:
            user = User.objects.create_user(
                username=new_username(), email=email, first_name=given[:150],
                last_name=(usage or family)[:150],
            )  # fmt: skip
            user.set_unusable_password()
            user.save()
            account = PortalAccount(user=user, email=email)
        elif not account.email_verified_at:
            # An unconfirmed sign-up in this name: whoever chose its password did not prove
            # the mailbox, so that password must not open the account FranceConnect opens.
            account.user.set_unusable_password()
            account.user.save()
        if account.person_id is None:
            account.person = find_or_create_person(
                email=email,
                birth_date=birth_date,
                first_names=given or account.first_names or "?",
                last_name=(usage or family) or account.last_name or "?",
                birth_name=family if usage and usage.lower() != family.lower() else "",
            )
        account.oidc_sub = sub
        account.email_verified_at = account.email_verified_at or timezone.now()
        account.birth_date = account.birth_date or birth_date
        account.first_names = account.first_names or given
        account.last_name = account.last_name or usage or family
        account.save()
        if not account.user.is_active:
            account.user.is_active = True
            account.user.save(update_fields=["is_active"])
    return account.user
