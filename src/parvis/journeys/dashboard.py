"""A journey's dashboard figures, each one grouped query."""

from django.db.models import Count, Q

from .models import AgentTask, Dispatch, Enrolment, GateDecision, StepRun


def figures(journey) -> dict:
    version = journey.current_version
    order = [s["id"] for s in version.steps] if version else []
    live = dict(
        Enrolment.objects.filter(journey=journey, status__in=Enrolment.LIVE)
        .values("step_id")
        .annotate(n=Count("id"))
        .values_list("step_id", "n")
    )
    statuses = dict(
        Enrolment.objects.filter(journey=journey)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    reached = dict(
        StepRun.objects.filter(journey=journey)
        .exclude(kind="agent")
        .values("step_id")
        .annotate(n=Count("enrolment", distinct=True))
        .values_list("step_id", "n")
    )
    entered = sum(statuses.values())
    funnel = [
        {
            "step": step_id,
            "reached": reached.get(step_id, 0),
            "rate": (100 * reached.get(step_id, 0) / entered) if entered else 0,
        }
        for step_id in order
    ]
    messages = Dispatch.objects.filter(journey=journey)
    rates = dict(
        total=Count("id"),
        sent=Count("id", filter=Q(status="sent")),
        queued=Count("id", filter=Q(status__in=["queued", "deferred", "sending"])),
        refused=Count("id", filter=Q(status="refused")),
        failed=Count("id", filter=Q(status__in=["failed", "uncertain"])),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
    )
    per_channel = list(messages.values("channel").annotate(**rates).order_by("channel"))
    per_variant = list(
        messages.values("step_id", "variant").annotate(**rates).order_by("step_id", "variant")
    )
    for row in per_channel + per_variant:
        row["open_rate"] = 100 * row["opened"] / row["sent"] if row["sent"] else 0
        row["click_rate"] = 100 * row["clicked"] / row["sent"] if row["sent"] else 0
    refusals = list(
        GateDecision.objects.filter(journey=journey, allowed=False)
        .values("reason", "channel")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return {
        "entered": entered,
        "statuses": statuses,
        "live": live,
        "funnel": funnel,
        "per_channel": per_channel,
        "per_variant": per_variant,
        "refusals": refusals,
        "uncertain": messages.filter(status="uncertain").select_related("person")[:50],
        "tasks": AgentTask.objects.filter(journey=journey, done=False).select_related("person")[
            :50
        ],
    }
