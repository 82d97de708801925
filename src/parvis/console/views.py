from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Max
from django.shortcuts import render

from parvis.audit.models import AccessLog
from parvis.people.models import Household, Person

from .models import Heartbeat


@login_required
# The console is for agents: a signed-in citizen of the portal, or an account given no role
# yet, sees neither the figures nor the search.
@permission_required("people.view_person", raise_exception=True)
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
