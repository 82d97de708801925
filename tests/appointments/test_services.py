"""Slots, booking, cancelling, attendance, confirmation and reminder."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from parvis.appointments import services, tasks
from parvis.appointments.models import Appointment, Availability, Closure
from parvis.journeys.models import Dispatch, EngagementEvent
from parvis.people.models import Fact, Interaction

from .conftest import at, make_person, open_day

pytestmark = pytest.mark.django_db


def test_slots_follow_the_opening_hours_and_the_motive_duration(passport, id_card):
    day = open_day()
    passport_slots = services.slots(passport, day)
    assert [s.start for s in passport_slots][:3] == [at(day, 9), at(day, 9, 20), at(day, 9, 40)]
    assert len(passport_slots) == 9  # 9:00-12:00 in 20 minutes
    assert len(services.slots(id_card, day)) == 12
    assert all(s.capacity == 1 and s.free == 1 for s in passport_slots)


def test_capacity_is_the_number_of_agents_available(place, passport, make_user):
    day = open_day()
    second = make_user("counter2", "agent")
    Availability.objects.create(
        place=place, agent=second, weekday=day.weekday(), start=time(10), end=time(12)
    )
    by_start = {s.start: s.capacity for s in services.slots(passport, day)}
    assert by_start[at(day, 9, 40)] == 1  # ends at 10:00: the second agent is not there yet
    assert by_start[at(day, 10)] == 2
    Availability.objects.filter(agent=second).update(absent_from=day, absent_until=day)
    assert {s.capacity for s in services.slots(passport, day)} == {1}


def test_no_slot_on_public_holidays_closures_or_in_the_past(place, passport):
    next_year = timezone.localdate().year + 1
    assert services.slots(passport, date(next_year, 7, 14)) == []  # Bastille Day
    assert services.slots(passport, date(next_year, 1, 1)) == []
    day = open_day()
    Closure.objects.create(place=place, day=day, reason="Inventaire")
    assert services.slots(passport, day) == []
    # In the past, and within the minimum notice, nothing is offered.
    now = at(open_day(3), 10, 10)
    remaining = services.slots(passport, timezone.localdate(now), now=now)
    assert remaining and min(s.start for s in remaining) >= now + timedelta(hours=1)


def test_booking_writes_the_timeline_the_engagement_and_the_fact(anne, passport):
    start = at(open_day(), 9, 20)
    appointment = services.book(anne, passport, start, source="portal")
    assert appointment.status == "booked" and appointment.end == start + timedelta(minutes=20)
    line = Interaction.objects.get(person=anne, ref_type="appointments.appointment")
    assert line.kind == Interaction.Kind.VISIT and "Passeport" in line.summary
    assert EngagementEvent.objects.filter(person=anne, kind="booked").count() == 1
    fact = Fact.objects.get(person=anne, key_id="passport_appointment_on")
    assert fact.value_date == start.date()


def test_the_last_seat_goes_to_one_citizen_only(anne, bruno, passport, english):
    start = at(open_day(), 10)
    services.book(anne, passport, start, source="portal")
    with pytest.raises(services.BookingError, match="just been taken"):
        services.book(bruno, passport, start, source="link")
    assert Appointment.objects.filter(start=start).count() == 1


def test_overlapping_motives_share_the_agents(anne, bruno, passport, id_card):
    day = open_day()
    services.book(anne, passport, at(day, 9), source="portal")  # 9:00-9:20
    taken = {s.start for s in services.slots(id_card, day) if s.free == 0}
    assert taken == {at(day, 9), at(day, 9, 15)}
    with pytest.raises(services.BookingError):
        services.book(bruno, id_card, at(day, 9, 15), source="portal")


def test_a_slot_not_offered_is_refused_clearly(anne, passport, english):
    with pytest.raises(services.BookingError, match="not offered"):
        services.book(anne, passport, at(open_day(), 9, 7), source="portal")
    with pytest.raises(services.BookingError, match="not offered"):
        services.book(anne, passport, at(open_day(), 15), source="portal")


def test_one_booked_appointment_per_motive(anne, passport, english):
    day = open_day()
    services.book(anne, passport, at(day, 9), source="portal")
    with pytest.raises(services.BookingError, match="already have"):
        services.book(anne, passport, at(day, 11), source="portal")


def test_confirmation_by_email_with_an_ics_through_the_gate(anne, passport, commit):
    start = at(open_day(), 11)
    with commit():
        appointment = services.book(anne, passport, start, source="portal")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne@example.org"]
    assert "Ancien passeport" in message.body
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert str(event["dtstart"].params["TZID"]) == "Europe/Paris"
    assert event.decoded("dtend") == start + timedelta(minutes=20)
    assert Calendar.from_ical(content).walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    dispatch = Dispatch.objects.get(send_key=f"appointment{appointment.pk}:confirmation")
    assert dispatch.status == "sent" and dispatch.purpose == "case_updates"
    # Asked again (a task retried): nothing more leaves.
    tasks.send_confirmation(appointment.pk)
    assert len(mail.outbox) == 1


def test_a_confirmation_the_mail_server_refused_is_sent_at_the_next_run(
    anne, passport, commit, monkeypatch
):
    from parvis.channels import adapters
    from parvis.channels.messages import DeliveryError

    real_send = adapters.send

    def server_down(message):
        raise DeliveryError("SMTP: connection refused")

    monkeypatch.setattr(adapters, "send", server_down)
    with commit():
        appointment = services.book(anne, passport, at(open_day(), 10), source="portal")
    dispatch = Dispatch.objects.get(send_key=f"appointment{appointment.pk}:confirmation")
    assert dispatch.status == "failed" and mail.outbox == []

    monkeypatch.setattr(adapters, "send", real_send)
    assert tasks.send_reminders()["retried"] == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0].endswith(".ics")
    dispatch.refresh_from_db()
    assert dispatch.status == "sent" and dispatch.attempts == 2
    assert tasks.send_reminders()["retried"] == 0  # sent once only
    assert len(mail.outbox) == 1


def test_without_consent_the_gate_refuses_and_the_booking_stays(passport, commit):
    person = make_person("Chloé", "chloe@example.org", consent=False)
    with commit():
        appointment = services.book(person, passport, at(open_day(), 9), source="portal")
    assert mail.outbox == []
    dispatch = Dispatch.objects.get(send_key=f"appointment{appointment.pk}:confirmation")
    assert dispatch.status == "refused" and dispatch.reason == "no_consent"
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


def test_reminder_the_day_before_with_the_documents_once(anne, bruno, passport):
    day = open_day()
    first = services.book(anne, passport, at(day, 9), source="portal")
    services.book(bruno, passport, at(day + timedelta(days=1), 9), source="portal")
    mail.outbox.clear()
    evening_before = at(day - timedelta(days=1), 18)
    assert tasks.send_reminders_due(evening_before) == {"sent": 1, "refused": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [["anne@example.org"]]
    assert "Timbre fiscal" in mail.outbox[0].body and "demain" in mail.outbox[0].subject.lower()
    assert tasks.send_reminders_due(evening_before) == {"sent": 0, "refused": 0, "failed": 0}
    assert len(mail.outbox) == 1
    assert Appointment.objects.get(pk=first.pk).reminder_sent_at is not None


def test_cancel_frees_the_seat_and_tells_the_citizen(anne, bruno, passport, commit, english):
    start = at(open_day(), 10)
    appointment = services.book(anne, passport, start, source="portal")
    with commit():
        services.cancel(appointment)
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
    assert "annul" in mail.outbox[0].subject.lower()
    assert Interaction.objects.filter(person=anne, summary__icontains="cancelled by").exists()
    services.book(bruno, passport, start, source="portal")  # the seat is free again
    with pytest.raises(services.BookingError, match="no longer booked"):
        services.cancel(appointment)


def test_no_show_and_attendance_are_recorded(anne, bruno, passport, counter_agent, english):
    day = open_day()
    appointment = services.book(anne, passport, at(day, 9), source="portal")
    with pytest.raises(services.BookingError, match="not started"):
        services.mark(appointment, "no_show", actor=counter_agent)
    services.mark(appointment, "no_show", actor=counter_agent, now=at(day, 9, 30))
    row = Appointment.objects.get(pk=appointment.pk)
    assert row.status == "no_show" and row.marked_by == counter_agent
    line = Interaction.objects.filter(person=anne).order_by("-id").first()
    assert line.actor == counter_agent and line.channel == "counter"
    with pytest.raises(services.BookingError):
        services.mark(appointment, "maybe", actor=counter_agent)
