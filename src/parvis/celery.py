"""The Celery application: one worker and beat, the broker chosen by PARVIS_BROKER_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")

app = Celery("parvis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "parvis.console.tasks.heartbeat", "schedule": 60.0},
    "sweep-queued-messages": {
        "task": "parvis.cases.tasks.sweep_queued_messages",
        "schedule": 120.0,
    },
}
