"""Console pages under /integrations/: imports with their progress, mapping profiles, the
review queue (side by side) and merges. Views stay thin: the work is in the services."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.people.models import DataSource, Person

from . import review, samples
from .imports import start_import
from .mapping import IDENTITY_TARGETS, validate_columns
from .merge import undo_merge
from .models import ImportJob, MappingProfile, MatchCandidate, MergeRecord
from .tasks import find_duplicates

IMPORT = "integrations.run_import"
REVIEW = "integrations.review_match"


class ImportForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Mapping profile"), queryset=MappingProfile.objects.all()
    )
    file = forms.FileField(label=gettext_lazy("Extract (CSV, Parquet or JSON Lines)"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show what would happen"),
        required=False,
        initial=True,
    )


class ProfileForm(forms.ModelForm):
    columns_json = forms.CharField(
        label=gettext_lazy("Columns (JSON)"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "fr-input"}),
        help_text=gettext_lazy(
            'One object per column: {"column": "QF", "target": "fact:family_quotient", '
            '"legal_basis": "…", "valid_days": 365}. Targets: a person field, '
            '"fact:<key>" or "ignore".'
        ),
    )

    class Meta:
        model = MappingProfile
        fields = [
            "name",
            "slug",
            "source",
            "file_format",
            "encoding",
            "delimiter",
            "legal_basis",
            "valid_days",
            "auto_link_threshold",
            "review_threshold",
            "create_unmatched",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = DataSource.objects.order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["columns_json"] = json.dumps(
                self.instance.columns, indent=1, ensure_ascii=False
            )

    def clean(self):
        cleaned = super().clean()
        try:
            columns = json.loads(cleaned.get("columns_json") or "")
        except json.JSONDecodeError as exc:
            self.add_error("columns_json", _("Invalid JSON: %(error)s") % {"error": exc.msg})
            return cleaned
        try:
            self.instance.columns = validate_columns(columns, cleaned.get("legal_basis", ""))
        except ValidationError as exc:
            self.add_error("columns_json", exc)
        low, high = cleaned.get("review_threshold"), cleaned.get("auto_link_threshold")
        if low is not None and high is not None and not 0 < low <= high <= 1:
            self.add_error("review_threshold", _("0 < review ≤ automatic link ≤ 1."))
        return cleaned


# --- imports -----------------------------------------------------------------------------------


@login_required
@permission_required(IMPORT, raise_exception=True)
def imports(request):
    jobs = Paginator(ImportJob.objects.select_related("profile"), 25).get_page(
        request.GET.get("page")
    )
    pending = MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING).count()
    return render(
        request,
        "integrations/imports.html",
        {"nav": "integrations", "jobs": jobs, "pending": pending, "form": ImportForm()},
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_new(request):
    if request.method == "POST" and request.POST.get("sample"):
        path = samples.write_caf_extract()
        profile = samples.install_profile()
        with open(path, "rb") as handle:
            job = start_import(profile, File(handle, name=path.name), request.user, dry_run=False)
        return redirect("integrations:import-detail", job_id=job.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(
            form.cleaned_data["profile"],
            form.cleaned_data["file"],
            request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("integrations:import-detail", job_id=job.pk)
    return render(request, "integrations/import_new.html", {"nav": "integrations", "form": form})


def _job(job_id):
    return get_object_or_404(ImportJob.objects.select_related("profile__source"), pk=job_id)


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_detail(request, job_id: int):
    job = _job(job_id)
    return render(request, "integrations/import_detail.html", {"nav": "integrations", "job": job})


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_progress(request, job_id: int):
    """The progress block, polled by HTMX until the job ends."""
    return render(request, "integrations/_progress.html", {"job": _job(job_id)})


@login_required
@permission_required(IMPORT, raise_exception=True)
@require_POST
def import_run(request, job_id: int):
    """After a dry run, import the same file for real."""
    dry = _job(job_id)
    if not dry.dry_run or dry.status != ImportJob.Status.DONE:
        raise Http404
    with dry.file.open("rb") as handle:
        job = start_import(
            dry.profile, File(handle, name=dry.original_name), request.user, name=dry.original_name
        )
    return redirect("integrations:import-detail", job_id=job.pk)


# --- profiles ----------------------------------------------------------------------------------


@login_required
@permission_required(IMPORT, raise_exception=True)
def profiles(request):
    return render(
        request,
        "integrations/profiles.html",
        {"nav": "integrations", "profiles": MappingProfile.objects.select_related("source")},
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def profile_edit(request, profile_id: int):
    instance = None if profile_id == 0 else get_object_or_404(MappingProfile, pk=profile_id)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("integrations:profiles")
    return render(
        request,
        "integrations/profile_edit.html",
        {"nav": "integrations", "form": form, "targets": IDENTITY_TARGETS},
    )


# --- review --------------------------------------------------------------------------------


@login_required
@permission_required(REVIEW, raise_exception=True)
def review_queue(request):
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    candidates = Paginator(
        MatchCandidate.objects.filter(status=status).select_related("person", "other_person"),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/review_queue.html",
        {"nav": "integrations", "candidates": candidates, "status": status},
    )


def _side(person: Person) -> dict:
    from parvis.people.models import ContactPoint

    residence = person.residences.filter(end__isnull=True).select_related("address__street").first()
    contacts = list(person.contact_points.exclude(kind=ContactPoint.Kind.POSTAL))
    postal = person.contact_points.filter(kind=ContactPoint.Kind.POSTAL).first()
    address = residence.address.label if residence else (postal.value if postal else "")
    return {
        "id": person.pk,
        "first_names": person.first_names,
        "last_name": person.last_name,
        "birth_name": person.birth_name,
        "birth_date": person.birth_date,
        "birth_place": person.birth_place,
        "sex": person.sex,
        "nir": person.masked_nir,
        "address": address,
        "email": ", ".join(c.value for c in contacts if c.kind == ContactPoint.Kind.EMAIL),
        "phone": ", ".join(c.display_value for c in contacts if c.kind != ContactPoint.Kind.EMAIL),
    }


@login_required
@permission_required(REVIEW, raise_exception=True)
def review_detail(request, candidate_id: int):
    candidate = get_object_or_404(
        MatchCandidate.objects.select_related("job__profile__source"), pk=candidate_id
    )
    if request.method == "POST":
        try:
            person = review.decide(
                candidate,
                request.POST.get("decision", ""),
                user=request.user,
                person_id=request.POST.get("person_id") or None,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("integrations:review-detail", candidate_id=candidate.pk)
        messages.success(
            request,
            _("Decision recorded: %(person)s.") % {"person": person}
            if person
            else _("Decision recorded."),
        )
        following = (
            MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING)
            .order_by("-probability", "id")
            .first()
        )
        if following:
            return redirect("integrations:review-detail", candidate_id=following.pk)
        return redirect("integrations:review")
    people = []
    if candidate.kind == MatchCandidate.Kind.IMPORT:
        ids = [a["person_id"] for a in candidate.alternatives] or [candidate.person_id]
        found = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        probabilities = {a["person_id"]: a["probability"] for a in candidate.alternatives}
        for pid in ids:
            if pid in found:
                people.append((_side(found[pid]), probabilities.get(pid, candidate.probability)))
        incoming = dict(candidate.record)
    else:
        incoming = _side(candidate.person) if candidate.person else {}
        if candidate.other_person:
            people.append((_side(candidate.other_person), candidate.probability))
    for side, _p in people:
        log_access(
            user=request.user,
            person=Person.objects.get(pk=side["id"]),
            action="integrations.review",
            channel=AccessLog.Channel.CONSOLE,
            reason=_("match review no. %(id)s") % {"id": candidate.pk},
            request=request,
        )
    if candidate.kind == MatchCandidate.Kind.DUPLICATE and candidate.person:
        log_access(
            user=request.user,
            person=candidate.person,
            action="integrations.review",
            channel=AccessLog.Channel.CONSOLE,
            reason=_("match review no. %(id)s") % {"id": candidate.pk},
            request=request,
        )
    fields = [
        ("first_names", _("First names")),
        ("last_name", _("Last name")),
        ("birth_name", _("Birth name")),
        ("birth_date", _("Birth date")),
        ("birth_place", _("Birth place")),
        ("sex", _("Sex")),
        ("address", _("Address")),
        ("email", _("Email")),
        ("phone", _("Phone")),
    ]
    rows = []
    for name, label in fields:
        left = incoming.get(name) or ""
        if name == "address" and candidate.kind == MatchCandidate.Kind.IMPORT:
            left = " ".join(
                str(incoming.get(k) or "") for k in ("address", "postcode", "city")
            ).strip()
        cells = []
        for side, _p in people:
            value = side.get(name) or ""
            cells.append({"value": value, "same": _same(left, value)})
        rows.append({"label": label, "incoming": left, "cells": cells})
    return render(
        request,
        "integrations/review_detail.html",
        {
            "nav": "integrations",
            "candidate": candidate,
            "people": people,
            "rows": rows,
            "facts": candidate.payload.get("facts", []),
        },
    )


def _same(left, right) -> bool:
    from parvis.people.normalize import normalize_text

    return bool(left) and bool(right) and normalize_text(str(left)) == normalize_text(str(right))


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def find_duplicates_view(request):
    find_duplicates.delay()
    messages.success(request, _("Duplicate search started: new pairs appear in the queue."))
    return redirect("integrations:review")


@login_required
@permission_required(REVIEW, raise_exception=True)
def merges(request):
    records = Paginator(MergeRecord.objects.select_related("kept", "merged_by"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "integrations/merges.html", {"nav": "integrations", "merges": records})


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def merge_undo(request, merge_id: int):
    record = get_object_or_404(MergeRecord, pk=merge_id)
    try:
        restored = undo_merge(record, user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Merge undone: %(person)s is back.") % {"person": restored})
    return redirect("integrations:merges")
