"""The agent's desk: the inbox, the case page and its actions, the chat, calls and visits.

Views only read the request, check the permission and call `services`, `inbox`, `chat` or
`contacts`; every action is a POST that redirects back to the case (so a reload never
repeats it), and the chat panels are HTMX fragments that poll every 2 seconds."""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.people.models import Person
from parvis.people.search import search_people

from . import chat, contacts, inbox, intake, services
from .access import case_for, visible_cases
from .forms import (
    AssignForm,
    ChatLineForm,
    ContactLogForm,
    IdentifyForm,
    InboxFilterForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
    tag_choices,
)
from .models import Attachment, Case, Message, ReplyTemplate, Service


def desk_view(*perms):
    """Signed-in agent with these permissions; anyone else (a citizen too) gets 403."""

    def decorator(view):
        @login_required
        @permission_required(list(perms), raise_exception=True)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _case(request, case_id: int) -> Case:
    return case_for(
        request.user,
        case_id,
        Case.objects.select_related("service", "assignee", "person", "merged_into"),
    )


def _back(case: Case, anchor: str = ""):
    return redirect(reverse("cases:detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


def _log_read(request, case: Case, action: str) -> None:
    if case.person_id:
        log_access(
            user=request.user,
            person=case.person,
            action=action,
            channel=AccessLog.Channel.CONSOLE,
            reason=case.reference,
            request=request,
        )


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


# --- the inbox --------------------------------------------------------------------------------


@desk_view("cases.view_case")
@require_GET
def inbox_view(request):
    services_list = list(Service.objects.only("pk", "name"))
    form = InboxFilterForm(request.GET or None, services=services_list, tags=tag_choices())
    filters = form.filters() if form.is_bound else inbox.InboxFilters()
    if filters.q:
        found = inbox.exact_reference(filters.q, request.user)
        if found is not None:
            return redirect("cases:detail", found.merged_into_id or found.pk)
    number = (form.cleaned_data.get("page") if form.is_bound and form.is_valid() else None) or 1
    page = inbox.page_of(inbox.inbox_cases(filters, request.user), number)
    counts = inbox.queue_counts(request.user)
    queues = [
        {"service": s, **counts["per_service"].get(s.pk, {"total": 0, "overdue": 0})}
        for s in services_list
    ]
    unsorted = counts["per_service"].get(None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "nav": "cases",
            "form": form,
            "filters": filters,
            "page": page,
            "counts": counts,
            "queues": queues,
            "unsorted": unsorted,
            "query": query.urlencode(),
        },
    )


# --- the case page ----------------------------------------------------------------------------


def _conversation(case: Case):
    return (
        case.messages.select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


@desk_view("cases.view_case")
@require_GET
def detail(request, case_id: int):
    case = _case(request, case_id)
    _log_read(request, case, "console.case")
    conversation = list(_conversation(case))
    person = case.person
    context = {
        "nav": "cases",
        "case": case,
        "conversation": conversation,
        "events": list(case.events.select_related("actor")),
        "tags": list(case.tags.all()),
        "merged_cases": list(case.merged_cases.only("pk", "reference")),
        "reply_form": ReplyForm(
            case=case, initial={"channel": _answer_channel(conversation, case)}
        ),
        "status_form": StatusForm(initial={"status": case.status, "notify": True}),
        "assign_form": AssignForm(initial={"service": case.service_id, "agent": case.assignee_id}),
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "tags_form": TagsForm(initial={"tags": ""}),
        "note_form": NoteForm(),
        "merge_form": MergeForm(case=case),
    }
    if case.channel == "chat":
        lines = [m for m in conversation if m.direction in chat.CONVERSATION]
        context.update(_chat_context(case, lines=lines))
    context["tags_form"].initial["tags"] = ", ".join(t.name for t in context["tags"])
    if person is not None:
        context["contact_points"] = list(person.contact_points.order_by("kind", "id"))
        context["other_cases"] = list(
            visible_cases(request.user)
            .filter(person=person, merged_into__isnull=True)
            .exclude(pk=case.pk)
            .only("pk", "reference", "subject", "status", "updated_at")
            .order_by("-updated_at", "-id")[:5]
        )
    else:
        context["candidates"] = intake.suggested_people(case)
    return render(request, "cases/detail.html", context)


def _answer_channel(conversation: list[Message], case: Case) -> str:
    received = [m for m in conversation if m.direction == Message.Direction.IN]
    channel = received[-1].channel if received else case.channel
    return channel if channel in services.REPLYABLE else "portal"


@desk_view("cases.view_case")
@require_GET
def attachment_download(request, attachment_id: int):
    attachment = get_object_or_404(
        Attachment.objects.select_related("message__case__person").filter(
            message__case__in=visible_cases(request.user)
        ),
        pk=attachment_id,
    )
    if attachment.status != Attachment.Status.ACCEPTED or not attachment.file:
        raise Http404
    _log_read(request, attachment.message.case, "console.case.attachment")
    # Always a download, never shown inline: a file from outside is not a web page.
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- actions ------------------------------------------------------------------------------------


@desk_view("cases.view_case", "cases.add_message", "cases.view_replytemplate")
@require_GET
def template_preview(request, case_id: int):
    """The reply box filled with a template's text (HTMX, when the agent picks one)."""
    case = _case(request, case_id)
    form = ReplyForm(case=case)
    body = request.GET.get("body", "")
    try:
        template = form.fields["template"].queryset.get(pk=int(request.GET.get("template", "")))
    except (ValueError, ReplyTemplate.DoesNotExist):
        template = None
    error = ""
    if template is not None:
        try:
            body = services.render_template(template, case, request.user)
        except ValueError as exc:
            error = str(exc)
    return render(
        request, "cases/_reply_body.html", {"reply_form": form, "body": body, "error": error}
    )


@desk_view("cases.view_case", "cases.change_case", "cases.add_message")
@require_POST
def reply(request, case_id: int):
    case = _case(request, case_id)
    form = ReplyForm(request.POST, case=case)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(case, "reply")
    data = form.cleaned_data
    try:
        services.reply(
            case,
            author=request.user,
            body=data["body"],
            channel=data["channel"],
            template=data["template"],
            new_status=data["new_status"],
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return _back(case, "reply")
    messages.success(request, _("Your answer was sent."))
    return _back(case)


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def change_status(request, case_id: int):
    case = _case(request, case_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_status(
            case,
            form.cleaned_data["status"],
            actor=request.user,
            notify=form.cleaned_data["notify"],
        )
        messages.success(request, _("Status changed."))
    else:
        _form_errors(request, form)
    return _back(case)


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def assign(request, case_id: int):
    case = _case(request, case_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        services.assign(
            case,
            agent=form.cleaned_data["agent"],
            service=form.cleaned_data["service"],
            actor=request.user,
        )
        messages.success(request, _("Assignment saved."))
    else:
        _form_errors(request, form)
    return _back(case)


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def take(request, case_id: int):
    """ "I take it": one click from the inbox or the case page."""
    case = _case(request, case_id)
    services.assign(case, agent=request.user, service=None, actor=request.user)
    messages.success(request, _("The case is assigned to you."))
    return _back(case)


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def priority(request, case_id: int):
    case = _case(request, case_id)
    form = PriorityForm(request.POST)
    if form.is_valid():
        services.set_priority(case, form.cleaned_data["priority"], actor=request.user)
        messages.success(request, _("Priority changed."))
    else:
        _form_errors(request, form)
    return _back(case)


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def tags(request, case_id: int):
    case = _case(request, case_id)
    form = TagsForm(request.POST)
    if form.is_valid():
        services.set_tags(case, form.names(), actor=request.user)
        messages.success(request, _("Tags saved."))
    else:
        _form_errors(request, form)
    return _back(case)


@desk_view("cases.view_case", "cases.add_message")
@require_POST
def note(request, case_id: int):
    case = _case(request, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(case, author=request.user, text=form.cleaned_data["text"])
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Note added."))
    else:
        _form_errors(request, form)
    return _back(case, "conversation")


@desk_view("cases.view_case", "cases.change_case")
@require_POST
def merge(request, case_id: int):
    case = _case(request, case_id)
    form = MergeForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(case)
    target = services.merge(case, form.target, actor=request.user)
    messages.success(request, _("Case %(ref)s was merged into this one.") % {"ref": case.reference})
    return _back(target)


@desk_view("cases.view_case", "cases.change_case", "people.view_person")
@require_POST
def identify(request, case_id: int):
    """The agent says who wrote: one of the candidates, or a person found by search."""
    case = _case(request, case_id)
    form = IdentifyForm(request.POST)
    person = None
    if form.is_valid():
        person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
    if person is None:
        messages.error(request, _("Choose a person."))
        return _back(case)
    services.link_person(case, person, actor=request.user)
    messages.success(request, _("The case is linked to %(person)s.") % {"person": person})
    return _back(case)


@desk_view("cases.view_case", "cases.change_case", "people.add_person")
@require_POST
def create_person(request, case_id: int):
    case = _case(request, case_id)
    if case.person_id or not case.proposed_person:
        messages.error(request, _("There is no proposed person for this case."))
        return _back(case)
    overrides = {
        field: request.POST[field].strip()
        for field in ("first_names", "last_name")
        if request.POST.get(field, "").strip()
    }
    try:
        person = services.create_proposed_person(case, actor=request.user, **overrides)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return _back(case)
    messages.success(request, _("%(person)s was created and linked.") % {"person": person})
    return _back(case)


@desk_view("cases.view_case", "people.view_person")
@require_GET
def person_search(request, case_id: int):
    """People matching what the agent typed, to link an unidentified sender (HTMX)."""
    case = _case(request, case_id)
    query = request.GET.get("q", "")
    result = search_people(query, limit=10) if query.strip() else None
    return render(request, "cases/_person_results.html", {"case": case, "result": result})


# --- chat --------------------------------------------------------------------------------------


@desk_view("cases.view_case")
@require_GET
def chats(request):
    template = "cases/_chat_list.html" if request.htmx else "cases/chats.html"
    return render(request, template, {"nav": "chats", "chats": list(chat.open_chats(request.user))})


def _chat_context(case: Case, form=None, lines=None) -> dict:
    lines = chat.chat_lines(case) if lines is None else lines
    return {
        "case": case,
        "chat_lines": lines,
        "last_id": lines[-1].pk if lines else 0,
        "chat_form": form or ChatLineForm(),
    }


@desk_view("cases.view_case")
@require_GET
def chat_messages(request, case_id: int):
    """The conversation, or 204 (HTMX leaves the panel alone) when nothing is new. The
    case page that started the polling wrote the access log."""
    case = _case(request, case_id)
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    if not chat.has_new_lines(case, since):
        return HttpResponse(status=204)
    return render(request, "cases/_chat_log.html", _chat_context(case))


@desk_view("cases.view_case", "cases.add_message")
@require_POST
def chat_send(request, case_id: int):
    case = _case(request, case_id)
    if case.channel != "chat":
        raise Http404
    form = ChatLineForm(request.POST)
    if not case.is_open:
        # The citizen no longer sees a finished chat: a line sent now would be lost.
        form.add_error(None, _("This conversation is finished."))
    if form.is_valid():
        chat.send_line(case, author=request.user, text=form.cleaned_data["text"])
        form = None
    if not request.htmx:
        if form is not None:
            _form_errors(request, form)
        return _back(case, "chat")
    case.refresh_from_db()
    return render(request, "cases/_chat_panel.html", _chat_context(case, form))


# --- calls and visits ----------------------------------------------------------------------------


@desk_view("people.view_person", "people.add_interaction")
def log_contact(request, person_id: int, kind: str):
    if kind not in contacts.KINDS:
        raise Http404
    person = get_object_or_404(Person, pk=person_id)
    form = ContactLogForm(request.POST or None, initial={"submission": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["open_case"] and not request.user.has_perm("cases.add_case"):
            raise PermissionDenied
        _line, case = contacts.log_contact(
            person,
            kind=kind,
            summary=data["summary"],
            details=data["details"],
            actor=request.user,
            open_case=data["open_case"],
            service=data["service"],
            submission=data["submission"],
        )
        if case is not None:
            messages.success(
                request, _("Recorded, and case %(ref)s opened.") % {"ref": case.reference}
            )
        else:
            messages.success(request, _("Recorded in the timeline."))
        return redirect("people:detail", person.pk)
    # The form shows whose contact is logged: a read of the person's file, logged as such.
    log_access(
        user=request.user,
        person=person,
        action="console.log-contact",
        channel=AccessLog.Channel.CONSOLE,
        reason=kind,
        request=request,
    )
    template = "cases/_log_contact.html" if request.htmx else "cases/log_contact.html"
    return render(
        request,
        template,
        {"nav": "people", "person": person, "form": form, "kind": kind},
    )
