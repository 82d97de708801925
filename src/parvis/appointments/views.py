"""Console pages: the places, the daily agenda of a place, attended / no-show."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.audit.services import log_access

from . import services
from .access import appointment_for, place_for, visible_places
from .models import Appointment


@login_required
@permission_required("appointments.view_appointment", raise_exception=True)
def place_list(request):
    today = timezone.localdate()
    places = visible_places(request.user).select_related("service").order_by("name")
    counts = {
        p.pk: services.agenda(p, today).filter(status__in=Appointment.HOLDING).count()
        for p in places
    }
    rows = [(p, counts[p.pk]) for p in places]
    return render(
        request, "appointments/places.html", {"nav": "appointments", "rows": rows, "today": today}
    )


def _day(value) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
@permission_required("appointments.view_appointment", raise_exception=True)
def agenda(request, slug: str):
    place = place_for(request.user, slug)
    day = _day(request.GET.get("day"))
    rows = list(services.agenda(place, day))
    # The agenda shows who comes: each person's name read is logged, like a file opened.
    for person in {a.person_id: a.person for a in rows}.values():
        log_access(
            user=request.user,
            person=person,
            action="appointments.agenda",
            channel="console",
            reason=f"{place.slug} {day.isoformat()}",
            request=request,
        )
    return render(
        request,
        "appointments/agenda.html",
        {
            "nav": "appointments",
            "place": place,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "appointments": rows,
            "closed": services.is_closed(place, day),
            "now": timezone.now(),
            "can_change": request.user.has_perm("appointments.change_appointment"),
        },
    )


@login_required
@permission_required("appointments.change_appointment", raise_exception=True)
@require_POST
def mark(request, appointment_id: int):
    appointment = appointment_for(request.user, appointment_id)
    action = request.POST.get("status", "")
    try:
        if action == "cancelled":
            services.cancel(appointment, actor=request.user, by_citizen=False)
        else:
            services.mark(appointment, action, actor=request.user)
    except services.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    day = timezone.localtime(appointment.start).date().isoformat()
    return redirect(f"{reverse('appointments:agenda', args=[appointment.place.slug])}?day={day}")
