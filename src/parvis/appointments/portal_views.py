"""The citizen's pages: my appointments, book one, cancel one — signed in on the portal, or
through the signed link of a journey message (no sign-in: the link names the person)."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.audit.services import log_access
from parvis.people.models import Person
from parvis.portal.access import citizen_required

from . import links, services
from .models import Appointment, Motive


def _motives():
    return Motive.objects.filter(active=True, place__active=True).select_related("place")


def _parse_day(value: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return min(max(day, today), today + timedelta(days=services.booking_horizon_days()))


def _parse_start(value: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return start if timezone.is_aware(start) else None


def _booking_page(request, person, *, action_url, mode, token=""):
    """The booking page, shared by the two ways in; handles the POSTs too."""
    motive = None
    motive_id = request.POST.get("motive") or request.GET.get("motive")
    if motive_id and str(motive_id).isdigit():
        motive = _motives().filter(pk=int(motive_id)).first()
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            raw = str(request.POST.get("appointment", ""))
            appointment = get_object_or_404(
                Appointment, pk=int(raw) if raw.isdigit() else 0, person=person
            )
            try:
                services.cancel(appointment, by_citizen=True)
            except services.BookingError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Your appointment is cancelled."))
                return redirect(action_url)
        elif motive is None:
            error = _("Choose what the appointment is for.")
        else:
            start = _parse_start(request.POST.get("start", ""))
            if start is None:
                error = _("Choose a slot.")
            else:
                try:
                    appointment = services.book(
                        person,
                        motive,
                        start,
                        source=Appointment.Source.LINK
                        if mode == "link"
                        else Appointment.Source.PORTAL,
                        dispatch_token=token,
                    )
                except services.BookingError as exc:
                    error = str(exc)
                else:
                    messages.success(
                        request,
                        _("Your appointment is booked for %(w)s. A confirmation is on its way.")
                        % {"w": timezone.localtime(appointment.start).strftime("%d/%m/%Y %H:%M")},
                    )
                    return redirect(action_url)
    first = _parse_day(request.GET.get("from"))
    days = services.week(motive, first) if motive else []
    log_access(
        user=request.user,
        person=person,
        action="portal.appointments",
        channel="portal",
        reason="booking link" if mode == "link" else "",
        request=request,
    )
    status = 409 if error and request.method == "POST" else 200
    return render(
        request,
        "appointments/portal/book.html",
        {
            "nav": "appointments",
            "person": person,
            "mode": mode,
            "motives": _motives(),
            "motive": motive,
            "days": days,
            "previous": first - timedelta(days=7) if first > timezone.localdate() else None,
            "next": first + timedelta(days=7),
            "upcoming": services.upcoming(person),
            "error": error,
            "action_url": action_url,
        },
        status=status,
    )


@citizen_required
def my_appointments(request):
    return _booking_page(
        request, request.citizen, action_url=reverse("appointments-portal:mine"), mode="portal"
    )


def link(request, token: str):
    try:
        data = links.unsign(token)
    except links.LinkError as error:
        return render(
            request,
            "appointments/portal/link_error.html",
            {"reason": error.reason},
            status=410 if error.reason == "expired" else 400,
        )
    person = Person.objects.filter(pk=data.person_id, deceased_on__isnull=True).first()
    if person is None:
        raise Http404
    return _booking_page(
        request,
        person,
        action_url=reverse("appointments-portal:link", args=[token]),
        mode="link",
        token=data.dispatch_token,
    )


@citizen_required
@require_POST
def cancel(request, appointment_id: int):
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    if appointment.person_id != request.citizen.pk:
        raise PermissionDenied
    try:
        services.cancel(appointment, by_citizen=True)
    except services.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("appointments-portal:mine")
