"""The citizen side of the web chat: a panel that polls for new lines every 2 seconds (HTMX)
and a box to write. Without JavaScript the same pages work by reloading."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from parvis.cases.models import Message

from . import services
from .access import citizen_required
from .forms import ChatForm


def _context(person, form=None) -> dict:
    case = services.open_chat_case(person)
    lines = services.chat_messages(case)
    return {
        "chat_case": case,
        "chat_lines": lines,
        "last_id": lines[-1].pk if lines else 0,
        "chat_form": form or ChatForm(),
    }


@citizen_required
@require_GET
def chat_page(request):
    return render(request, "portal/chat.html", {"nav": "chat", **_context(request.citizen)})


@citizen_required
@require_GET
def chat_panel(request):
    return render(request, "portal/_chat_panel.html", _context(request.citizen))


@citizen_required
@require_GET
def chat_messages(request):
    """The conversation, or 204 (HTMX then leaves the page alone) when nothing is new."""
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    case = services.open_chat_case(request.citizen)
    if case is None:
        return HttpResponse(status=204)
    newer = (
        case.messages.filter(pk__gt=since, visible_to_citizen=True)
        .exclude(direction=Message.Direction.NOTE)
        .exists()
    )
    if not newer:
        return HttpResponse(status=204)
    return render(request, "portal/_chat_log.html", _context(request.citizen))


@citizen_required
@require_POST
def chat_send(request):
    form = ChatForm(request.POST)
    if form.is_valid():
        services.send_chat_message(
            person=request.citizen,
            text=form.cleaned_data["text"],
            submission=form.cleaned_data["submission"],
        )
        form = None
    if not request.htmx:
        if form is not None:
            return render(
                request, "portal/chat.html", {"nav": "chat", **_context(request.citizen, form)}
            )
        return redirect("portal:chat")
    context = _context(request.citizen, form)
    return render(
        request,
        "portal/_chat_panel.html",
        {**context, "full_page": request.POST.get("full_page") == "1"},
    )
