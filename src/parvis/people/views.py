from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.rights.services import person_rights

from . import services
from .models import Person
from .search import search_people


@login_required
@permission_required("people.view_person", raise_exception=True)
def search(request):
    query = request.GET.get("q", "")
    result = search_people(query) if query.strip() else None
    template = "people/_results.html" if request.htmx else "people/search.html"
    return render(request, template, {"nav": "people", "q": query, "result": result})


@login_required
@permission_required("people.view_person", raise_exception=True)
def detail(request, person_id: int):
    try:
        file = services.person_file(person_id, request.user)
    except Person.DoesNotExist:
        raise Http404 from None
    log_access(
        user=request.user,
        person=file["person"],
        action="console.360",
        channel=AccessLog.Channel.CONSOLE,
        reason=request.GET.get("reason", ""),
        request=request,
    )
    events = Paginator(services.timeline(file["person"], request.user), 25).get_page(1)
    shown_facts = [fact for facts in file["facts_by_source"].values() for fact in facts]
    rights = person_rights(file["person"], request.user, shown_facts)
    return render(
        request,
        "people/detail.html",
        {"nav": "people", "events": events, "rights": rights, **file},
    )


@login_required
@permission_required(["people.view_person", "people.view_interaction"], raise_exception=True)
def timeline_page(request, person_id: int):
    """Older timeline entries, loaded by HTMX below the 360° page."""
    try:
        person = Person.objects.get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    log_access(
        user=request.user,
        person=person,
        action="console.timeline",
        channel=AccessLog.Channel.CONSOLE,
        request=request,
    )
    events = Paginator(services.timeline(person, request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "people/_timeline.html", {"person": person, "events": events})
