"""The citizen's alert subscriptions, mounted under /portal/alerts/ with the portal's look."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import subscriptions as service
from .models import Area, Topic


def _citizen_required(view):
    from parvis.portal.access import citizen_required

    return citizen_required(view)


@_citizen_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    person = request.citizen
    areas = list(Area.objects.order_by("name"))
    if request.method == "POST":
        wanted = set(request.POST.getlist("subscription"))
        try:
            changed = service.save_subscriptions(person, wanted)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Your alert subscriptions are saved.") if changed else _("Nothing changed."),
            )
        return redirect("geo-portal:subscriptions")
    current = service.current_keys(person)
    rows = []
    for value, label in Topic.choices:
        home = f"{value}:home"
        cells = [{"key": home, "label": _("Where I live"), "on": home in current}]
        cells += [
            {"key": f"{value}:{a.pk}", "label": a.name, "on": f"{value}:{a.pk}" in current}
            for a in areas
        ]
        rows.append({"topic": value, "label": label, "cells": cells})
    return render(
        request,
        "geo/portal_subscriptions.html",
        {"nav": "alerts", "rows": rows, "home": service.home_label(person)},
    )
