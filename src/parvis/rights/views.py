"""Console pages of the rights domain: non-take-up report (and CSV), eligibility runs, local
rules, saved selections. Thin: the work is in services."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ReportForm, RuleForm, RunForm, SelectionForm
from .models import EligibilityRun, LocalRule, SavedSelection
from .rules import BUILTINS, fact_fields


def _report_context(request):
    # Periods from the runs (a small table), not from millions of results.
    periods = list(
        EligibilityRun.objects.filter(status=EligibilityRun.Status.DONE)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )
    # Offer the benefits some run found someone for (not every imported rule).
    found = {
        code
        for counts in EligibilityRun.objects.filter(status=EligibilityRun.Status.DONE).values_list(
            "counts", flat=True
        )
        for code, by_status in (counts or {}).items()
        if by_status
    }
    labels = [(c, label) for c, label in services.benefit_labels().items() if c in found]
    form = ReportForm(request.GET or None, periods=periods, benefits=labels)
    period = periods[0] if periods else None
    area, benefit = "street", ""
    if form.is_valid():
        period = (
            services.parse_period(form.cleaned_data["period"])
            if form.cleaned_data["period"]
            else period
        )
        area = form.cleaned_data["area"] or "street"
        benefit = form.cleaned_data["benefit"]
    rows = services.non_take_up(period, area, benefit) if period else []
    return form, period, area, benefit, rows


@login_required
@permission_required("rights.view_eligibilityresult", raise_exception=True)
def report(request):
    form, period, area, benefit, rows = _report_context(request)
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["benefit"],
            {
                "benefit": row["benefit"],
                "benefit_label": row["benefit_label"],
                "entitled": 0,
                "receiving": 0,
                "unclaimed": 0,
                "unclaimed_amount": 0,
                "insufficient": 0,
                "households": 0,
            },
        )
        for key in (
            "entitled",
            "receiving",
            "unclaimed",
            "unclaimed_amount",
            "insufficient",
            "households",
        ):
            total[key] += row[key]
    return render(
        request,
        "rights/report.html",
        {
            "nav": "rights",
            "form": form,
            "period": period,
            "area": area,
            "rows": rows,
            "totals": list(totals.values()),
            "run": EligibilityRun.objects.first(),
            "run_form": RunForm(),
            "query": request.GET.urlencode(),
        },
    )


def _cell(value):
    """A text that a spreadsheet would run as a formula ("=HYPERLINK(…)" as a street name)
    is written as text (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
@permission_required("rights.view_eligibilityresult", raise_exception=True)
def report_csv(request):
    _form, period, area, _benefit, rows = _report_context(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"non-recours-{period:%Y-%m}-{area}.csv" if period else "non-recours.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheets read the accents right with the BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Benefit code"),
            _("Benefit"),
            _("Month"),
            _("Area kind"),
            _("Area"),
            _("Probably entitled"),
            _("Households"),
            _("Already receiving"),
            _("Not receiving"),
            _("Estimated unclaimed amount per month (€)"),
            _("Insufficient data"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _cell(row["benefit"]),
                _cell(row["benefit_label"]),
                f"{period:%Y-%m}",
                area,
                _cell(row["area_label"]),
                row["entitled"],
                row["households"],
                row["receiving"],
                row["unclaimed"],
                f"{row['unclaimed_amount']:.2f}".replace(".", ","),
                row["insufficient"],
            ]
        )
    return response


@login_required
@permission_required("rights.add_eligibilityrun", raise_exception=True)
@require_POST
def start_run(request):
    form = RunForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("period", []):
            messages.error(request, error)
        return redirect("rights:report")
    run = services.start_run(form.cleaned_data["period"], user=request.user)
    from .tasks import run_eligibility

    transaction.on_commit(lambda: run_eligibility.delay(run.pk))
    messages.success(
        request,
        _("Eligibility is being computed for %(month)s.") % {"month": f"{run.period:%m/%Y}"},
    )
    return redirect("rights:report")


@login_required
@permission_required("rights.view_eligibilityrun", raise_exception=True)
def run_status(request, run_id: int):
    run = get_object_or_404(EligibilityRun, pk=run_id)
    return render(request, "rights/_run.html", {"run": run})


@login_required
@permission_required("rights.view_localrule", raise_exception=True)
def rules(request):
    rules = LocalRule.objects.order_by("origin", "label")
    return render(request, "rights/rules.html", {"nav": "rights", "rules": rules})


@login_required
def rule_edit(request, rule_id: int | None = None):
    permission = "rights.change_localrule" if rule_id else "rights.add_localrule"
    if not request.user.has_perm(permission):
        raise_403()
    rule = get_object_or_404(LocalRule, pk=rule_id) if rule_id else None
    if request.method == "POST":
        form = RuleForm(request.POST, instance=rule)
        if form.is_valid():
            definition = form.definition
            rule = rule or LocalRule(origin=LocalRule.Origin.LOCAL)
            rule.code = definition["code"]
            rule.label = definition["label"]
            rule.institution = definition["institution"]
            rule.source = form.cleaned_data["source"]
            rule.definition = definition
            rule.enabled = form.cleaned_data["enabled"]
            rule.updated_by = request.user
            rule.save()
            messages.success(request, _("Rule saved: it applies from the next computation."))
            return redirect("rights:rules")
    else:
        initial = (
            {"source": rule.source, "enabled": rule.enabled}
            if rule
            else {"source": EXAMPLE_RULE, "enabled": True}
        )
        form = RuleForm(initial=initial, instance=rule)
    fields = {**fact_fields(), **BUILTINS}
    return render(
        request,
        "rights/rule_form.html",
        {
            "nav": "rights",
            "form": form,
            "rule": rule,
            "fields": sorted(fields.values(), key=lambda f: (f.name not in BUILTINS, f.name)),
        },
    )


def raise_403():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


EXAMPLE_RULE = """code: mon-aide
label: Nom de l'aide
institution: Commune
legal_basis: Délibération du conseil municipal
conditions:
  - age: ">= 65"
  - lives_alone: yes
"""


@login_required
@permission_required("rights.view_savedselection", raise_exception=True)
def selections(request):
    items = SavedSelection.objects.select_related("created_by")[:200]
    return render(request, "rights/selections.html", {"nav": "rights", "selections": items})


@login_required
@permission_required(["rights.add_savedselection", "audiences.add_audience"], raise_exception=True)
@require_POST
def make_selection(request):
    """One click: the report's unclaimed people (of a benefit, maybe of an area) become an
    audience that an outreach journey can target."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    try:
        selection, audience = services.make_audience(
            benefit=data["benefit"],
            period=data["period"],
            area_kind=data["area_kind"],
            area_value=data["area_value"],
            user=request.user,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("rights:report")
    messages.success(
        request,
        _("Saved “%(name)s”: %(count)s people, ready for an outreach journey.")
        % {"name": selection.name, "count": selection.person_count},
    )
    return redirect(reverse("audiences:detail", args=[audience.pk]))
