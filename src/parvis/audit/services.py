"""Writing and searching the access log."""

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from .models import AccessLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    *, user, person, action: str, channel: str, reason: str = "", request=None
) -> AccessLog:
    """Record that `user` read `person`'s file. Call it from every view or API route that
    shows personal data, before the data leaves."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "anonymous",
        person_id=person.pk,
        person_label=str(person)[:300],
        action=action,
        channel=channel,
        reason=(reason or "")[:300],
        ip_address=client_ip(request),
    )


def search_access_log(
    *,
    username: str = "",
    person_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessLog]:
    entries = AccessLog.objects.all()
    if username:
        entries = entries.filter(username__iexact=username.strip())
    if person_id:
        entries = entries.filter(person_id=person_id)
    if action:
        entries = entries.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        entries = entries.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return entries
