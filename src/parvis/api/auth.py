from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token), revoked=False, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]


def require(request, permission: str) -> None:
    """403 unless the authenticated user holds `permission`."""
    if not request.auth.has_perm(permission):
        raise HttpError(403, "You do not have the permission for this action.")
