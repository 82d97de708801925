"""Who may use the citizen pages: a signed-in user with a confirmed citizen account.

Agents are not citizens here: their console account has no person, so the portal pages
refuse them rather than show an empty, misleading space."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .models import PortalAccount


def citizen_account(user) -> PortalAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PortalAccount.objects.select_related("person")
        .filter(user=user, person__isnull=False)
        .first()
    )


def citizen_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        account = citizen_account(request.user)
        if account is None:
            raise PermissionDenied
        request.citizen = account.person
        return view(request, *args, **kwargs)

    return wrapper
