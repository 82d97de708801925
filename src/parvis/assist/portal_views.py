"""The citizen-facing assistant, mounted under /portal/assistant/ with the portal's look.

It uses the portal's notion of who is signed in (parvis.portal.access) and, for a visitor
without an account, the portal's e-mail confirmed request: the assistant is a portal page
that lives with the AI code, so these are the only places assist reaches into the portal."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import assistant
from .models import Article


def _citizen(request):
    from parvis.portal.access import citizen_account

    account = citizen_account(request.user)
    if account is not None:
        request.citizen = account.person
        return account.person
    return None


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=assistant.MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Your email address"))
    details = forms.CharField(
        label=gettext_lazy("Anything to add (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
def home(request):
    citizen = _citizen(request)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = assistant.answer(form.cleaned_data["question"])
        assistant.remember(request.session, result)
        return redirect("assistant:home")
    return render(
        request,
        "assist/portal_assistant.html",
        {
            "nav": "assistant",
            "form": form,
            "turns": request.session.get(assistant.SESSION_KEY, []),
            "citizen": citizen,
        },
    )


@require_http_methods(["GET", "POST"])
def open_request(request):
    """The conversation becomes a request: at once for a signed-in citizen, after an e-mail
    check for a visitor (the portal's usual anonymous request)."""
    turns = request.session.get(assistant.SESSION_KEY, [])
    citizen = _citizen(request)
    if citizen is not None:
        form = forms.Form(request.POST or None)
        details = (request.POST.get("details") or "")[:5000]
        if request.method == "POST":
            result = assistant.open_request_for_citizen(citizen, turns, details)
            request.session[assistant.SESSION_KEY] = []
            if result.case is None:
                messages.error(request, _("Your request could not be sent."))
                return redirect("assistant:home")
            messages.success(
                request,
                _("Your request was received. Its reference is %(reference)s.")
                % {"reference": result.case.reference},
            )
            return redirect("portal:request", reference=result.case.reference)
    else:
        form = ContactForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from parvis.portal.services import create_pending_request

            body = assistant.transcript(turns)
            if form.cleaned_data["details"].strip():
                body = f"{form.cleaned_data['details'].strip()}\n\n{body}"
            create_pending_request(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                subject=assistant.subject_for(turns),
                text=body,
                request=request,
            )
            request.session[assistant.SESSION_KEY] = []
            return redirect("portal:request-sent")
    return render(
        request,
        "assist/portal_request.html",
        {
            "nav": "assistant",
            "form": form,
            "turns": turns,
            "citizen": citizen,
            "transcript": assistant.transcript(turns),
        },
    )


@require_POST
def reset(request):
    request.session[assistant.SESSION_KEY] = []
    return redirect("assistant:home")


def article(request, article_id: int):
    _citizen(request)
    item = get_object_or_404(Article, pk=article_id)
    if not item.published or not item.is_valid:
        raise Http404
    return render(request, "assist/portal_article.html", {"nav": "assistant", "article": item})
