"""The appointment as an iCalendar event (RFC 5545), in Europe/Paris time."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Appointment


def appointment_ics(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Parvis//Appointments//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{settings.PARVIS_EMAIL_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("summary", f"{appointment.motive.name} — {appointment.place.name}")
    if appointment.place.address:
        event["location"] = vText(appointment.place.address)
    documents = appointment.motive.document_list
    if documents:
        event.add("description", "\n".join(f"- {d}" for d in documents))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE of Europe/Paris, for strict clients
    return calendar.to_ical()
