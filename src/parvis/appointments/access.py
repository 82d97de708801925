"""Which places an agent may see, with their agendas and appointments: the places of the
services they belong to, and the places no service runs. Users who see every case
(`cases.view_all_cases`: supervisors, administrators) see every place. The same rule as
parvis.cases.access; a place out of reach is answered 404, as if it did not exist."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parvis.cases.access import within_services

from .models import Appointment, Place


def visible_places(user) -> QuerySet[Place]:
    return Place.objects.filter(within_services(user))


def place_for(user, slug: str) -> Place:
    return get_object_or_404(visible_places(user), slug=slug)


def appointment_for(user, appointment_id: int) -> Appointment:
    appointments = Appointment.objects.select_related("place")
    return get_object_or_404(
        appointments.filter(within_services(user, "place__")), pk=appointment_id
    )
