"""Console pages: journeys (list, settings, step editor with diagram, dashboard), one
person's enrolment (agent takeover), message templates (with a preview on a real person)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.audiences.models import Audience
from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.channels.templates_render import TemplateError, check_source
from parvis.people.models import Channel, FactKey, Person, Purpose

from . import dashboard, diagram, services
from . import steps as step_kinds
from .models import Dispatch, Enrolment, Journey, MessageTemplate, StepRun

JOURNEY_FIELDS = [
    "name",
    "purpose",
    "audience",
    "trigger",
    "trigger_fact_key",
    "schedule_hours",
    "reentry",
    "reentry_days",
]


@login_required
@permission_required("journeys.view_journey", raise_exception=True)
def journey_list(request):
    journeys = Journey.objects.select_related("audience", "current_version").annotate(
        live=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.LIVE))
    )
    return render(request, "journeys/list.html", {"nav": "journeys", "journeys": journeys})


def _settings_context(request, journey, errors=None):
    data = request.POST if request.method == "POST" else None
    values = {}
    for field in JOURNEY_FIELDS:
        if data is not None:
            values[field] = data.get(field, "")
        elif journey is not None:
            value = getattr(journey, field + ("_id" if field == "audience" else ""))
            values[field] = "" if value is None else str(value)
        else:
            values[field] = request.GET.get(field, "")
    return {
        "nav": "journeys",
        "journey": journey,
        "values": values,
        "errors": errors or {},
        "purposes": Purpose.choices,
        "triggers": Journey.Trigger.choices,
        "reentries": Journey.Reentry.choices,
        "audiences": Audience.objects.order_by("name"),
        "fact_keys": FactKey.objects.order_by("label"),
    }


@login_required
@permission_required("journeys.add_journey", raise_exception=True)
def journey_settings(request, journey_id: int | None = None):
    journey = get_object_or_404(Journey, pk=journey_id) if journey_id else None
    if journey and not request.user.has_perm("journeys.change_journey"):
        raise PermissionDenied
    if request.method == "POST":
        data = {f: request.POST.get(f, "") for f in JOURNEY_FIELDS}
        audience_id = data.get("audience")
        data["audience"] = (
            Audience.objects.filter(pk=audience_id).first() if str(audience_id).isdigit() else None
        )
        try:
            saved = services.save_journey(data, journey=journey, user=request.user)
        except ValidationError as exc:
            return render(
                request,
                "journeys/settings.html",
                _settings_context(request, journey, exc.message_dict),
                status=400,
            )
        messages.success(request, _("Journey saved."))
        target = "journeys:dashboard" if saved.current_version_id else "journeys:steps"
        return redirect(target, saved.pk)
    return render(request, "journeys/settings.html", _settings_context(request, journey))


# --- the step editor ---------------------------------------------------------------------------


def _step_rows_from_post(post) -> list[dict]:
    rows = []
    for i in range(min(int(post.get("steps") or 0), step_kinds.MAX_STEPS)):
        kind = post.get(f"s-{i}-kind")
        if kind not in step_kinds.KINDS:
            continue
        data = {"id": post.get(f"s-{i}-id", "").strip(), "next": post.get(f"s-{i}-next", "")}
        for spec in step_kinds.KINDS[kind].fields:
            data[spec.name] = post.get(f"s-{i}-{spec.name}", "")
        rows.append({"kind": kind, "data": data})
    return rows


def _rows_from_steps(steps: list[dict]) -> list[dict]:
    rows = []
    for step in steps:
        data = {"id": step["id"], "next": step.get("next", "")}
        for spec in step_kinds.KINDS[step["kind"]].fields:
            value = step.get(spec.name, "")
            if step["kind"] == "split" and spec.name in ("condition", "goto"):
                branch = step["branches"][0]
                value = (
                    json.dumps(branch["if"], ensure_ascii=False)
                    if spec.name == "condition"
                    else branch["goto"]
                )
            if isinstance(value, list):
                value = ",".join(map(str, value))
            if isinstance(value, bool):
                value = "yes" if value else ""
            data[spec.name] = "" if value is None else str(value)
        rows.append({"kind": step["kind"], "data": data})
    return rows


def _steps_from_rows(rows) -> list[dict]:
    steps = []
    for row in rows:
        step = {"kind": row["kind"]}
        step.update({k: v for k, v in row["data"].items() if str(v).strip() != ""})
        steps.append(step)
    return steps


def _render_rows(rows):
    out = []
    for index, row in enumerate(rows):
        kind = step_kinds.KINDS[row["kind"]]
        inputs = [
            {
                "name": f"s-{index}-{spec.name}",
                "label": spec.label,
                "type": spec.type,
                "choices": spec.choices,
                "help": spec.help,
                "value": row["data"].get(spec.name, ""),
            }
            for spec in kind.fields
        ]
        out.append(
            {
                "index": index,
                "kind": row["kind"],
                "label": kind.label,
                "id": row["data"].get("id", ""),
                "next": row["data"].get("next", ""),
                "inputs": inputs,
            }
        )
    return out


@login_required
@permission_required("journeys.change_journey", raise_exception=True)
def journey_steps(request, journey_id: int):
    journey = get_object_or_404(Journey, pk=journey_id)
    version = journey.current_version
    errors = {}
    goal = ""
    if request.method == "GET":
        rows = (
            _rows_from_steps(version.steps)
            if version
            else [{"kind": "send", "data": {"id": "s1", "channels": "preferred,email,sms,postal"}}]
        )
        goal = json.dumps(version.goal, ensure_ascii=False) if version and version.goal else ""
        expert = ""
    else:
        rows = _step_rows_from_post(request.POST)
        goal = request.POST.get("goal", "")
        expert = request.POST.get("expert", "")
        action = request.POST.get("action", "")
        name, _sep, arg = action.partition("-")
        index = int(arg) if arg.isdigit() else -1
        if name == "add":
            kind = request.POST.get("new_step_kind") or "send"
            kind = kind if kind in step_kinds.KINDS else "send"
            rows.append({"kind": kind, "data": {"id": f"s{len(rows) + 1}"}})
        elif name == "remove" and 0 <= index < len(rows):
            rows.pop(index)
        elif name in ("up", "down") and 0 <= index < len(rows):
            other = index - 1 if name == "up" else index + 1
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
        elif name == "save":
            try:
                steps = json.loads(expert) if expert.strip() else _steps_from_rows(rows)
                goal_tree = json.loads(goal) if goal.strip() else None
                services.new_version(journey, steps, goal=goal_tree, user=request.user)
            except ValueError as exc:  # JSON
                errors["steps"] = [_("Not valid JSON: %(e)s") % {"e": exc}]
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(
                    request, _("Version %(n)s saved.") % {"n": journey.current_version.number}
                )
                return redirect("journeys:dashboard", journey.pk)
    try:
        preview = step_kinds.validate_steps(_steps_from_rows(rows))
        drawing = mark_safe(diagram.svg(preview))  # noqa: S308 - labels escaped in svg()
    except (step_kinds.StepError, ValidationError, ValueError):
        drawing = ""
    context = {
        "nav": "journeys",
        "journey": journey,
        "rows": _render_rows(rows),
        "row_count": len(rows),
        "errors": errors,
        "goal": goal,
        "expert": expert,
        "step_kinds": [(k, v.label) for k, v in step_kinds.KINDS.items()],
        "diagram": drawing,
        "templates": MessageTemplate.objects.values_list("code", flat=True).distinct(),
    }
    template = (
        "journeys/_steps.html"
        if request.htmx and request.method == "POST"
        else "journeys/steps.html"
    )
    return render(request, template, context, status=400 if errors else 200)


# --- dashboard and operations ---------------------------------------------------------------------


@login_required
@permission_required("journeys.view_journey", raise_exception=True)
def journey_dashboard(request, journey_id: int):
    journey = get_object_or_404(
        Journey.objects.select_related("audience", "current_version"), pk=journey_id
    )
    figures = dashboard.figures(journey)
    drawing = (
        mark_safe(diagram.svg(journey.current_version.steps, figures["live"]))
        if journey.current_version
        else ""
    )  # noqa: S308 - labels escaped in svg()
    query = request.GET.get("q", "").strip()
    enrolments = Enrolment.objects.filter(journey=journey).select_related("person")
    if query:
        enrolments = enrolments.filter(
            Q(person__last_name__icontains=query) | Q(person__first_names__icontains=query)
        )
    return render(
        request,
        "journeys/dashboard.html",
        {
            "nav": "journeys",
            "journey": journey,
            "f": figures,
            "diagram": drawing,
            "q": query,
            "enrolments": enrolments.order_by("-entered_at", "-id")[:25],
            "versions": journey.versions.all()[:10],
        },
    )


@login_required
@permission_required("journeys.operate_journey", raise_exception=True)
@require_POST
def journey_action(request, journey_id: int):
    journey = get_object_or_404(Journey, pk=journey_id)
    action = request.POST.get("action")
    try:
        if action in ("activate", "resume"):
            services.set_status(journey, Journey.Status.ACTIVE, actor=request.user)
            messages.success(request, _("The journey runs."))
        elif action == "pause":
            services.set_status(journey, Journey.Status.PAUSED, actor=request.user)
            messages.success(request, _("The journey is paused."))
        elif action == "enrol":
            count = services.enrol(journey, reason="agent")
            messages.success(request, _("%(n)s people entered the journey.") % {"n": count})
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("journeys:dashboard", journey.pk)


@login_required
@permission_required("journeys.view_journey", raise_exception=True)
def enrolment_detail(request, enrolment_id: int):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("journey", "person", "version"), pk=enrolment_id
    )
    log_access(
        user=request.user,
        person=enrolment.person,
        action="console.journey",
        channel=AccessLog.Channel.CONSOLE,
        request=request,
    )
    return render(
        request,
        "journeys/enrolment.html",
        {
            "nav": "journeys",
            "enrolment": enrolment,
            "journey": enrolment.journey,
            "runs": StepRun.objects.filter(enrolment=enrolment).select_related("actor"),
            "dispatches": Dispatch.objects.filter(enrolment=enrolment).order_by("created_at"),
            "channels": [
                (c, label)
                for c, label in Channel.choices
                if c in ("email", "sms", "postal", "push", "portal")
            ],
            "step": enrolment.version.step(enrolment.step_id) if enrolment.step_id else None,
        },
    )


@login_required
@permission_required("journeys.operate_journey", raise_exception=True)
@require_POST
def enrolment_action(request, enrolment_id: int):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("journey", "person", "version"), pk=enrolment_id
    )
    action = request.POST.get("action")
    try:
        if action == "pause":
            services.pause_enrolment(enrolment, actor=request.user)
        elif action == "resume":
            services.resume_enrolment(enrolment, actor=request.user)
        elif action == "skip":
            services.skip_step(enrolment, actor=request.user)
        elif action == "send":
            dispatch = services.send_extra(
                enrolment,
                channel=request.POST.get("channel", ""),
                subject=request.POST.get("subject", ""),
                text=request.POST.get("text", ""),
                actor=request.user,
            )
            if dispatch.status == "refused":
                messages.warning(
                    request, _("The gate refused the message: %(r)s") % {"r": dispatch.reason}
                )
        else:
            raise ValidationError(_("Unknown action."))
        messages.success(request, _("Done."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("journeys:enrolment", enrolment.pk)


# --- templates ----------------------------------------------------------------------------------


@login_required
@permission_required("journeys.view_messagetemplate", raise_exception=True)
def template_list(request):
    return render(
        request,
        "journeys/templates.html",
        {"nav": "journeys", "templates": MessageTemplate.objects.all()},
    )


@login_required
@permission_required("journeys.change_messagetemplate", raise_exception=True)
def template_edit(request, template_id: int | None = None):
    from django.db import IntegrityError

    from parvis.channels.templates_render import render as render_template

    from .rendering import context as render_context
    from .rendering import facts_for

    template = (
        get_object_or_404(MessageTemplate, pk=template_id)
        if template_id
        else MessageTemplate(channel="email")
    )
    errors, preview, person = {}, None, None
    if request.method == "POST":
        for field in ("code", "channel", "language", "subject", "body_text", "body_html"):
            setattr(
                template,
                field,
                request.POST.get(field, "").strip()
                if field != "body_html"
                else request.POST.get(field, ""),
            )
        try:
            template.full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        for field in ("subject", "body_text", "body_html"):
            try:
                check_source(getattr(template, field))
            except TemplateError as exc:
                errors[field] = [str(exc)]
        person_id = request.POST.get("preview_person", "").strip()
        if person_id.isdigit():
            person = Person.objects.filter(pk=int(person_id)).first()
            if person is None:
                errors["preview_person"] = [_("No person with this number.")]
        if not errors and person is not None:
            log_access(
                user=request.user,
                person=person,
                action="console.template-preview",
                channel=AccessLog.Channel.CONSOLE,
                request=request,
            )
            sources = [template.subject, template.body_text, template.body_html]
            facts = facts_for([person.pk], sources).get(person.pk, {})
            try:
                preview = render_template(
                    channel=template.channel,
                    subject=template.subject,
                    text=template.body_text,
                    html=template.body_html,
                    context=render_context(person, facts, "preview", template.channel),
                )
            except TemplateError as exc:
                errors["body_text"] = [str(exc)]
        if not errors and request.POST.get("action") == "save":
            try:
                template.save()
            except IntegrityError:
                errors["code"] = [_("A template with this code, channel and language exists.")]
            else:
                messages.success(request, _("Template saved."))
                return redirect("journeys:template-edit", template.pk)
    return render(
        request,
        "journeys/template_edit.html",
        {
            "nav": "journeys",
            "template": template,
            "errors": errors,
            "preview": preview,
            "preview_person": person,
            "channels": [c for c in Channel.choices if c[0] in ("email", "sms", "postal", "push")],
        },
        status=400 if errors else 200,
    )
