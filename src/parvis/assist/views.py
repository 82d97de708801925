"""Console pages of the AI assist: the case panel's actions, the triage queue, the
knowledge base, the models in use and the transparency log. Thin: the work is in
services.py and kb.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.cases.access import case_for, visible_cases
from parvis.cases.models import Case, Service

from . import kb, services
from .models import Article, ModelVersion, Suggestion

use_assist = permission_required("assist.use_assist", raise_exception=True)
view_case = permission_required("cases.view_case", raise_exception=True)


def _case(request, case_id: int) -> Case:
    return case_for(request.user, case_id, Case.objects.select_related("person", "service"))


def _suggestion(request, suggestion_id: int, kind=None) -> Suggestion:
    """A suggestion on a case the agent may see (else 404, like the case itself)."""
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("case").filter(case__in=visible_cases(request.user)),
        pk=suggestion_id,
    )
    if kind and suggestion.kind not in (kind if isinstance(kind, tuple) else (kind,)):
        raise Http404
    return suggestion


def _back(request, case: Case):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("assist:case", case_id=case.pk)


def _log_case_read(request, case: Case, action: str) -> None:
    if case.person_id:
        log_access(
            user=request.user,
            person=case.person,
            action=action,
            channel=AccessLog.Channel.CONSOLE,
            request=request,
        )


# --- the case ---------------------------------------------------------------------------------


@login_required
@view_case
@use_assist
def case_page(request, case_id: int):
    """The AI's view of one case (the case page of the console includes the same panel)."""
    case = _case(request, case_id)
    _log_case_read(request, case, "assist.case")
    conversation = case.messages.select_related("author").order_by("created_at", "id")
    return render(
        request,
        "assist/case.html",
        {
            "nav": "assist",
            "case": case,
            "conversation": conversation,
            **services.case_panel_context(case, request.user),
        },
    )


@login_required
@view_case
@use_assist
@require_POST
def triage_decide(request, suggestion_id: int):
    suggestion = _suggestion(request, suggestion_id, Suggestion.Kind.TRIAGE)
    service = None
    if request.POST.get("service"):
        service = Service.objects.filter(pk=request.POST["service"]).first()
        if service is None:
            raise Http404
    try:
        services.decide_triage(suggestion, user=request.user, service=service)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Routing recorded."))
    return _back(request, suggestion.case)


@login_required
@view_case
@use_assist
@require_POST
def link_decide(request, suggestion_id: int):
    suggestion = _suggestion(
        request, suggestion_id, (Suggestion.Kind.LINK_CASE, Suggestion.Kind.LINK_PERSON)
    )
    if not request.user.has_perm("cases.change_case"):
        raise Http404
    accept = request.POST.get("decision") == "accept"
    target = request.POST.get("target", "")
    if (
        accept
        and suggestion.kind == Suggestion.Kind.LINK_CASE
        and not visible_cases(request.user)
        .filter(pk=int(target) if target.isdigit() else 0)
        .exists()
    ):
        raise Http404  # never merge into a case out of the agent's reach
    try:
        services.decide_link(
            suggestion,
            user=request.user,
            accept=accept,
            target_id=int(target) if target.isdigit() else None,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return _back(request, suggestion.case)
    case = suggestion.case
    case.refresh_from_db()
    if accept and case.merged_into_id:
        return redirect("assist:case", case_id=case.merged_into_id)
    return _back(request, case)


@login_required
@view_case
@use_assist
@require_POST
def draft_new(request, case_id: int):
    case = _case(request, case_id)
    services.suggest_articles_and_draft(case, agent=request.user)
    messages.success(request, _("A new draft was prepared."))
    return _back(request, case)


@login_required
@view_case
@use_assist
@require_POST
def draft_send(request, suggestion_id: int):
    suggestion = _suggestion(request, suggestion_id, Suggestion.Kind.DRAFT)
    if not request.user.has_perm("cases.add_message"):
        raise Http404
    try:
        services.send_draft(suggestion, user=request.user, text=request.POST.get("text", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The answer was sent."))
    return _back(request, suggestion.case)


@login_required
@view_case
@use_assist
@require_POST
def draft_reject(request, suggestion_id: int):
    suggestion = _suggestion(request, suggestion_id, Suggestion.Kind.DRAFT)
    try:
        services.reject_draft(suggestion, user=request.user, note=request.POST.get("note", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("The draft was rejected."))
    return _back(request, suggestion.case)


@login_required
@view_case
@use_assist
def queue(request):
    cases = Paginator(services.triage_queue().select_related("person"), 50).get_page(
        request.GET.get("page")
    )
    latest = {}
    for suggestion in Suggestion.objects.filter(
        kind=Suggestion.Kind.TRIAGE, case__in=[c.pk for c in cases]
    ).order_by("created_at"):
        latest[suggestion.case_id] = suggestion
    rows = [(case, latest.get(case.pk)) for case in cases]
    return render(request, "assist/queue.html", {"nav": "assist", "page": cases, "rows": rows})


# --- models and transparency ------------------------------------------------------------------


@login_required
@permission_required("assist.view_modelversion", raise_exception=True)
def models_page(request):
    from . import conf, versions

    triage_versions = ModelVersion.objects.filter(kind=ModelVersion.Kind.TRIAGE)[:10]
    return render(
        request,
        "assist/models.html",
        {
            "nav": "assist",
            "active": versions.active_triage(),
            "triage_versions": triage_versions,
            "search_metrics": ModelVersion.objects.filter(kind=ModelVersion.Kind.SEARCH).first(),
            "draft_metrics": services.draft_metrics(),
            "triage_metrics": services.triage_metrics(),
            "llm_url_set": bool(conf.llm_url()),
            "llm_model": conf.llm_model(),
            "threshold": conf.route_threshold(),
            "articles": Article.objects.count(),
        },
    )


@login_required
@permission_required("assist.view_suggestion", raise_exception=True)
def log(request):
    entries = Suggestion.objects.select_related("case", "decided_by", "model_version")
    kind = request.GET.get("kind", "")
    if kind in Suggestion.Kind.values:
        entries = entries.filter(kind=kind)
    reference = request.GET.get("case", "").strip()
    if reference:
        entries = entries.filter(case__reference=reference)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assist/log.html",
        {
            "nav": "assist",
            "page": page,
            "kinds": Suggestion.Kind.choices,
            "kind": kind,
            "reference": reference,
        },
    )


# --- knowledge base -------------------------------------------------------------------------


class ArticleForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("link"), required=False, assume_scheme="https")
    life_moments = forms.MultipleChoiceField(
        label=gettext_lazy("Life moments"),
        choices=Article.LifeMoment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Article
        fields = [
            "external_id", "title", "body", "life_moments", "services", "theme", "url",
            "source", "licence", "valid_until", "published",
        ]  # fmt: skip
        widgets = {
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "services": forms.CheckboxSelectMultiple,
            "body": forms.Textarea(attrs={"rows": 14}),
        }


@login_required
@permission_required("assist.view_article", raise_exception=True)
def kb_list(request):
    query = request.GET.get("q", "")[:500]
    hits = kb.search(query, limit=20) if query.strip() else None
    articles = None
    if hits is None:
        articles = Paginator(
            Article.objects.order_by("source", "title").only(
                "id", "title", "source", "valid_until", "published", "external_id"
            ),
            50,
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "assist/kb_list.html",
        {"nav": "kb", "q": query, "hits": hits, "articles": articles},
    )


@login_required
@permission_required("assist.view_article", raise_exception=True)
def kb_detail(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    return render(request, "assist/kb_detail.html", {"nav": "kb", "article": article})


@login_required
def kb_edit(request, article_id: int | None = None):
    article = get_object_or_404(Article, pk=article_id) if article_id else None
    needed = "assist.change_article" if article else "assist.add_article"
    if not request.user.has_perm(needed):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        kb.save_article(saved, services=form.cleaned_data["services"])
        messages.success(request, _("The article was saved."))
        return redirect("assist:kb-detail", article_id=saved.pk)
    return render(request, "assist/kb_form.html", {"nav": "kb", "form": form, "article": article})


@login_required
@permission_required("assist.delete_article", raise_exception=True)
@require_POST
def kb_delete(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    article.delete()
    messages.success(request, _("The article was deleted."))
    return redirect("assist:kb")
