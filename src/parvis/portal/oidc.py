"""FranceConnect sign-in through mozilla-django-oidc, on only when configured
(PARVIS_OIDC_RP_CLIENT_ID and friends, see settings.py and the README).

FranceConnect v2 signs the ID token and the userinfo answer (a JWT) with keys published at
its JWKS endpoint; the library checks both, and the state and nonce."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import identity

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "PARVIS_OIDC_ENABLED", False))


class FranceConnectBackend(OIDCAuthenticationBackend):
    """Finds or creates the citizen account of a FranceConnect identity and links it to a
    person the way a local sign-up does (identity.link_oidc_identity)."""

    def verify_claims(self, claims):
        return bool(claims.get("sub") and claims.get("email"))

    def filter_users_by_claims(self, claims):
        # Matching is done by link_oidc_identity (by "sub", then confirmed email).
        return self.UserModel.objects.none()

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims verification failed")
        try:
            return identity.link_oidc_identity(claims)
        except ValidationError as exc:
            logger.warning("FranceConnect identity refused: %s", exc)
            return None


class FranceConnectRequestView(OIDCAuthenticationRequestView):
    def __init__(self, *args, **kwargs):
        if not enabled():
            raise Http404
        super().__init__(*args, **kwargs)


class FranceConnectCallbackView(OIDCAuthenticationCallbackView):
    def __init__(self, *args, **kwargs):
        if not enabled():
            raise Http404
        super().__init__(*args, **kwargs)

    @property
    def failure_url(self):
        return reverse("portal:login")

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("portal:requests")

    def login_failure(self):
        messages.error(
            self.request, _("Signing in with FranceConnect did not work. Please try again.")
        )
        return super().login_failure()
