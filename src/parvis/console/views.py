from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render

from parvis.audit.models import AccessLog
from parvis.people.models import Household, Person

from .models import Heartbeat


@login_required
def home(request):
    beat = Heartbeat.objects.filter(name="worker").first()
    recent = (
        AccessLog.objects.filter(user=request.user, channel=AccessLog.Channel.CONSOLE)
        .values("person_id", "person_label")
        .annotate(at=Max("at"))
        .order_by("-at")[:10]
    )
    return render(
        request,
        "console/home.html",
        {
            "nav": "home",
            # Estimated counts would be faster on huge tables; a count on an index is fine here.
            "stats": {"persons": Person.objects.count(), "households": Household.objects.count()},
            "heartbeat": beat.at if beat else None,
            "recent": recent,
        },
    )
