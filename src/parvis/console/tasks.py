from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def heartbeat() -> str:
    """Beat schedules this every minute; the console's home page shows the last beat, so an
    operator sees at once whether the worker and beat run."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": now})
    return now.isoformat()
