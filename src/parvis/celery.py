"""The Celery application: one worker and beat, the broker chosen by PARVIS_BROKER_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")

app = Celery("parvis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "parvis.console.tasks.heartbeat", "schedule": 60.0},
    # A poll not started within the minute is dropped: the next one takes the same mail.
    "poll-mailboxes": {
        "task": "parvis.cases.tasks.poll_mailboxes",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Weekly: the triage model learns from the week's closed cases (kept only if not worse).
    "assist-retrain-triage": {
        "task": "parvis.assist.tasks.retrain_triage",
        "schedule": 7 * 24 * 3600.0,
    },
    "sweep-queued-messages": {
        "task": "parvis.cases.tasks.sweep_queued_messages",
        "schedule": 120.0,
    },
    # Journeys: enrol, advance due steps, send through the gate (state in the database).
    "journeys-tick": {
        "task": "parvis.journeys.tasks.tick",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "journeys-letters": {"task": "parvis.journeys.tasks.build_letters", "schedule": 3600.0},
    # An import whose worker died is taken over (the job row says how far it went).
    "integrations-recover-imports": {
        "task": "parvis.integrations.tasks.recover_stale_imports",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # The digest of informational messages the contact pressure cap held (once per period).
    "journeys-digests": {"task": "parvis.journeys.tasks.send_digests", "schedule": 24 * 3600.0},
    # Appointments: the reminder the day before (idempotent: once per appointment).
    "appointments-reminders": {
        "task": "parvis.appointments.tasks.send_reminders",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
