from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import filters, forms, services
from .models import Audience


@login_required
@permission_required("audiences.view_audience", raise_exception=True)
def audience_list(request):
    return render(
        request, "audiences/list.html", {"nav": "audiences", "audiences": Audience.objects.all()}
    )


def _builder_context(request, audience=None, rows=None, match="all", expert="", errors=None):
    data = request.POST if request.method == "POST" else {}
    return {
        "nav": "audiences",
        "audience": audience,
        "name": data.get("name", audience.name if audience else ""),
        "description": data.get("description", audience.description if audience else ""),
        "kind": data.get("kind", audience.kind if audience else "dynamic"),
        "kinds": Audience.Kind.choices,
        "match": match,
        "rows": forms.render_rows(rows or []),
        "row_count": len(rows or []),
        "expert": expert,
        "condition_kinds": forms.KIND_LABELS,
        "errors": errors or {},
    }


def _posted_rows(request):
    rows = forms.rows_from_post(request.POST)
    action = request.POST.get("action", "")
    if action.startswith("add"):
        kind = request.POST.get("new_kind") or "fact"
        rows.append({"kind": kind if kind in forms.ROWS else "fact", "data": {}})
    elif action.startswith("remove-"):
        index = int(action.split("-", 1)[1]) if action.split("-", 1)[1].isdigit() else -1
        rows = [r for i, r in enumerate(rows) if i != index]
    return rows


@login_required
@permission_required("audiences.add_audience", raise_exception=True)
def audience_edit(request, audience_id: int | None = None):
    audience = get_object_or_404(Audience, pk=audience_id) if audience_id else None
    if audience and not request.user.has_perm("audiences.change_audience"):
        raise Http404
    if request.method == "GET":
        if audience:
            match, rows, expert = forms.rows_from_tree(audience.definition)
        else:
            match, rows, expert = "all", [], ""
        context = _builder_context(request, audience, rows, match, expert)
        # The count is there from the first paint; HTMX refreshes it on every edit.
        try:
            definition = audience.definition if audience else {"kind": "all", "conditions": []}
            context["count"] = services.count(definition)
        except filters.TreeError as exc:
            context["count_error"] = str(exc)
        return render(request, "audiences/edit.html", context)
    rows = _posted_rows(request)
    match = "any" if request.POST.get("match") == "any" else "all"
    expert = request.POST.get("expert", "")
    context = _builder_context(request, audience, rows, match, expert)
    if request.POST.get("action") != "save":
        if request.htmx:
            response = render(request, "audiences/_builder.html", context)
            response["HX-Trigger"] = "refresh-count"  # the rows changed: count again
            return response
        return render(request, "audiences/edit.html", context)
    try:
        tree = forms.tree_from_post(request.POST)
        saved = services.save_audience(
            name=request.POST.get("name", ""),
            definition=tree,
            kind=request.POST.get("kind", "dynamic"),
            description=request.POST.get("description", ""),
            user=request.user,
            audience=audience,
        )
    except filters.TreeError as exc:
        context["errors"] = {"definition": str(exc)}
        return render(request, "audiences/edit.html", context, status=400)
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "audiences/edit.html", context, status=400)
    if saved.kind == Audience.Kind.STATIC:
        services.take_snapshot(saved)
    messages.success(request, _("Audience saved."))
    return redirect("audiences:detail", saved.pk)


@login_required
@permission_required("audiences.view_audience", raise_exception=True)
@require_POST
def live_count(request):
    """The count while the filters are being edited (HTMX, on every change)."""
    try:
        tree = filters.validate(forms.tree_from_post(request.POST), user=request.user)
        count, error = services.count(tree), ""
    except filters.TreeError as exc:
        count, error = None, str(exc)
    return render(request, "audiences/_count.html", {"count": count, "error": error})


@login_required
@permission_required("audiences.view_audience", raise_exception=True)
def audience_detail(request, audience_id: int):
    audience = get_object_or_404(Audience, pk=audience_id)
    people = services.members(audience)
    return render(
        request,
        "audiences/detail.html",
        {
            "nav": "audiences",
            "audience": audience,
            "count": people.count(),
            "sample": people.order_by("last_name", "first_names")[:20],
        },
    )


@login_required
@permission_required("audiences.change_audience", raise_exception=True)
@require_POST
def audience_snapshot(request, audience_id: int):
    audience = get_object_or_404(Audience, pk=audience_id, kind=Audience.Kind.STATIC)
    count = services.take_snapshot(audience)
    messages.success(request, _("Snapshot taken: %(n)s people.") % {"n": count})
    return redirect("audiences:detail", audience.pk)
