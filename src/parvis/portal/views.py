"""The citizen's pages: home, my requests, a new request, what the administration knows,
contact preferences. Thin: the work is in services.py."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.cases.models import Attachment, Case
from parvis.people.models import Fact

from . import services
from .access import citizen_account, citizen_required
from .account_views import link_error
from .forms import AnonymousRequestForm, CorrectionForm, PreferencesForm, ReplyForm, RequestForm
from .identity import LinkError


def home(request):
    account = citizen_account(request.user)
    context = {}
    if account:
        request.citizen = account.person
        context["recent_cases"] = services.citizen_cases(account.person)[:5]
    return render(request, "portal/home.html", context)


# --- my requests ---------------------------------------------------------------------------------


@citizen_required
def request_list(request):
    cases = services.citizen_cases(request.citizen)
    return render(request, "portal/requests.html", {"nav": "requests", "cases": cases})


def _own_case(request, reference: str) -> Case:
    try:
        return services.citizen_case(request.citizen, reference)
    except Case.DoesNotExist:
        raise Http404 from None


def _refused_notice(request, result) -> None:
    if result.message is None:
        return
    for attachment in result.message.attachments.filter(status=Attachment.Status.REFUSED):
        messages.warning(
            request,
            _("The file “%(name)s” was not accepted: %(reason)s")
            % {"name": attachment.filename, "reason": attachment.refusal_reason},
        )


@citizen_required
@require_http_methods(["GET", "POST"])
def request_detail(request, reference: str):
    case = _own_case(request, reference)
    if case.reference != reference:
        return redirect("portal:request", reference=case.reference)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = services.reply_to_case(
            person=request.citizen,
            case=case,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["attachments"],
            submission=form.cleaned_data["submission"],
        )
        if result.outcome != "duplicate":
            messages.success(request, _("Your message was sent."))
            _refused_notice(request, result)
        return redirect("portal:request", reference=case.reference)
    return render(
        request,
        "portal/request_detail.html",
        {
            "nav": "requests",
            "case": case,
            "conversation": services.visible_messages(case),
            "form": form,
        },
    )


@citizen_required
def attachment_download(request, reference: str, attachment_id: int):
    case = _own_case(request, reference)
    try:
        attachment = services.citizen_attachment(request.citizen, attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    if attachment.message.case_id != case.pk or not attachment.file:
        raise Http404
    # Always a download, never displayed inline: a file from outside is not a web page.
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
    response["Content-Type"] = "application/octet-stream"
    return response


@require_http_methods(["GET", "POST"])
def request_new(request):
    account = citizen_account(request.user)
    form_class = RequestForm if account else AnonymousRequestForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if account:
            result = services.submit_request(
                person=account.person,
                subject=data["subject"],
                text=data["text"],
                service=data["service"],
                files=data["attachments"],
                submission=data["submission"],
            )
            if result.outcome != "duplicate":
                messages.success(
                    request,
                    _("Your request was received. Its reference is %(reference)s.")
                    % {"reference": result.case.reference},
                )
                _refused_notice(request, result)
            if result.case is None:
                return redirect("portal:requests")
            return redirect("portal:request", reference=result.case.reference)
        services.create_pending_request(
            name=data["name"],
            email=data["email"],
            subject=data["subject"],
            text=data["text"],
            service=data["service"],
            files=data["attachments"],
            request=request,
        )
        request.session["portal_request_email"] = data["email"]
        return redirect("portal:request-sent")
    if account:
        request.citizen = account.person
    return render(request, "portal/request_new.html", {"nav": "new", "form": form})


def request_sent(request):
    return render(
        request, "portal/request_sent.html", {"email": request.session.get("portal_request_email")}
    )


def request_confirm(request, token: str):
    try:
        pending, new = services.confirm_pending_request(token)
    except LinkError as error:
        return link_error(request, error.reason)
    account = citizen_account(request.user)
    own = bool(account and pending.case and pending.case.person_id == account.person_id)
    return render(
        request,
        "portal/request_confirmed.html",
        {"pending": pending, "case": pending.case, "new": new, "own": own},
    )


# --- what the administration knows -----------------------------------------------------------


@citizen_required
def my_data(request):
    person = request.citizen
    log_access(
        user=request.user,
        person=person,
        action="portal.facts",
        channel=AccessLog.Channel.PORTAL,
        request=request,
    )
    return render(
        request,
        "portal/my_data.html",
        {"nav": "data", "person": person, **services.own_file(person)},
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def correction(request, fact_id: int):
    fact = get_object_or_404(
        Fact.objects.select_related("key", "source"), pk=fact_id, person=request.citizen
    )
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.request_correction(
            person=request.citizen,
            fact=fact,
            text=form.cleaned_data["text"],
            submission=form.cleaned_data["submission"],
        )
        if result.case is None:
            return redirect("portal:requests")
        messages.success(
            request,
            _("Your correction request was received. Its reference is %(reference)s.")
            % {"reference": result.case.reference},
        )
        return redirect("portal:request", reference=result.case.reference)
    return render(
        request,
        "portal/correction.html",
        {
            "nav": "data",
            "fact": fact,
            "value": services.fact_value_display(fact),
            "form": form,
        },
    )


# --- preferences -------------------------------------------------------------------------------


@citizen_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    person = request.citizen
    grid = services.consent_grid(person)
    form = PreferencesForm(
        grid, request.POST or None, initial={"preferred_channel": person.preferred_channel}
    )
    if request.method == "POST" and form.is_valid():
        changed = services.save_preferences(
            person,
            preferred_channel=form.cleaned_data["preferred_channel"],
            granted=form.granted(),
            user=request.user,
        )
        if changed:
            messages.success(
                request,
                ngettext(
                    "Your choices are saved (%(count)s change recorded).",
                    "Your choices are saved (%(count)s changes recorded).",
                    len(changed),
                )
                % {"count": len(changed)},
            )
        else:
            messages.info(request, _("Your choices are saved."))
        return redirect("portal:preferences")
    for row in grid:
        for cell in row["cells"]:
            cell["field"] = form[cell["name"]]
    return render(
        request,
        "portal/preferences.html",
        {
            "nav": "preferences",
            "form": form,
            "grid": grid,
            "history": services.consent_history(person),
        },
    )
