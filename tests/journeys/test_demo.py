"""The demo: `parvis seed` installs the passport renewal journey; it runs on the synthetic
town, the dashboard shows the funnel, an agent pauses one person."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from parvis.demo.services import seed_town
from parvis.journeys import dashboard, delivery, scheduler, services
from parvis.journeys.demo import JOURNEY_NAME
from parvis.journeys.models import Dispatch, Enrolment, Journey

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 10)  # a Tuesday
NOW = timezone.make_aware(datetime(2025, 6, 10, 10, 0))


def test_the_passport_journey_runs_on_the_synthetic_town(client, supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_town(1500, seed=3, today=TODAY)
    seed_town(10, seed=4, today=TODAY)  # seeding again keeps one journey
    journey = Journey.objects.get(name=JOURNEY_NAME)
    entered = services.enrol(journey, now=NOW)
    assert entered > 10
    scheduler.run_due(NOW)
    totals = delivery.deliver_due(NOW)
    assert totals["sent"] > 0 and len(mail.outbox) > 0
    channels = set(Dispatch.objects.filter(status="sent").values_list("channel", flat=True))
    assert "email" in channels
    month_later = NOW + timedelta(days=31)
    scheduler.run_due(month_later)
    delivery.deliver_due(month_later)
    figures = dashboard.figures(journey)
    funnel = {row["step"]: row["reached"] for row in figures["funnel"]}
    assert funnel["m6"] == entered and funnel["booked"] == entered
    assert funnel["reminder"] > 0 and funnel["until-d1"] > 0  # both branches taken
    client.force_login(supervisor)
    page = client.get(reverse("journeys:dashboard", args=[journey.pk]))
    assert page.status_code == 200 and "funnel-reminder" in page.content.decode()
    one = Enrolment.objects.filter(status="active").first()
    client.post(reverse("journeys:enrolment-action", args=[one.pk]), {"action": "pause"})
    one.refresh_from_db()
    assert one.status == "paused"
