"""Send a message: the template (and an optional B variant for part of the people) on the
first channel of the strategy the gate allows — "preferred" is the person's preferred
channel, then the fallbacks in order — in the person's language when the template exists in
it (French otherwise). The message becomes a `Dispatch` row with a unique send key; the
delivery worker sends it."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parvis.channels import gate
from parvis.channels.templates_render import TemplateError

from .. import bulk, digest, sendtime
from . import Batch, Field, Outcome, StepError, StepKind, as_int, register, require

CHANNELS = ["preferred", "email", "sms", "push", "postal", "portal"]


def parse_channels(value, path):
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not value:
        raise StepError(path, _("Give at least one channel."))
    for channel in value:
        if channel not in CHANNELS:
            raise StepError(
                path,
                _("Unknown channel “%(c)s” (use %(all)s).")
                % {"c": str(channel)[:20], "all": ", ".join(CHANNELS)},
            )
    return list(dict.fromkeys(value))


@register
class SendStep(StepKind):
    kind = "send"
    label = _lazy("Send a message")
    fields = [
        Field("template", _lazy("Template (code)")),
        Field(
            "channels",
            _lazy("Channels, in order"),
            help=_lazy("preferred, email, sms, push, postal, portal"),
        ),
        Field("variant_b", _lazy("Variant B template (A/B test)")),
        Field("share_b", _lazy("Share of people getting B (%)"), "number"),
        Field(
            "send_time",
            _lazy("When"),
            "select",
            [
                ("", _lazy("at the hour the person usually opens (default)")),
                ("now", _lazy("as soon as allowed")),
            ],
        ),
    ]

    def validate(self, step, path):
        from ..models import MessageTemplate

        code = str(require(step, "template", path)).strip()
        if not MessageTemplate.objects.filter(code=code).exists():
            raise StepError(
                f"{path}.template", _("No template with the code “%(c)s”.") % {"c": code[:60]}
            )
        out = {
            "template": code,
            "channels": parse_channels(
                step.get("channels") or ["preferred", "email", "sms", "postal"], f"{path}.channels"
            ),
        }
        send_time = str(step.get("send_time") or "").strip()
        if send_time not in ("", "now", "optimal"):
            raise StepError(f"{path}.send_time", _("Use “now” or “optimal”."))
        if send_time:
            out["send_time"] = send_time
        variant = str(step.get("variant_b") or "").strip()
        if variant:
            if not MessageTemplate.objects.filter(code=variant).exists():
                raise StepError(
                    f"{path}.variant_b",
                    _("No template with the code “%(c)s”.") % {"c": variant[:60]},
                )
            out["variant_b"] = variant
            out["share_b"] = as_int(step.get("share_b") or 50, f"{path}.share_b", 1, 99)
        return out

    def summary(self, step):
        text = _("Send “%(t)s” by %(c)s") % {
            "t": step["template"],
            "c": " → ".join(step["channels"]),
        }
        if step.get("variant_b"):
            text += _(" (B: “%(b)s” to %(s)s %%)") % {"b": step["variant_b"], "s": step["share_b"]}
        return text

    def run(self, batch: Batch):
        send_batch(batch)


def send_batch(batch: Batch):
    from ..models import Dispatch, MessageTemplate, new_token
    from ..rendering import facts_for, render_for

    step, journey = batch.step, batch.version.journey
    codes = {step["template"], step.get("variant_b")} - {None}
    templates = {
        (t.code, t.channel, t.language): t for t in MessageTemplate.objects.filter(code__in=codes)
    }

    def variant_of(enrolment):
        if step.get("variant_b") and enrolment.bucket < step["share_b"]:
            return "B", step["variant_b"]
        return "A", step["template"]

    def template_for(code, channel, language):
        return templates.get((code, channel, language)) or templates.get((code, channel, "fr"))

    plans = {}
    for enrolment in batch.enrolments:
        person = batch.persons[enrolment.person_id]
        order = [person.preferred_channel if c == "preferred" else c for c in step["channels"]]
        plans[enrolment.pk] = [c for c in dict.fromkeys(order) if c]
    chosen: dict[int, tuple[str, gate.Decision]] = {}
    last_reason: dict[int, str] = {}
    unresolved = list(batch.enrolments)
    position = 0
    while unresolved and position < len(CHANNELS):
        groups: dict[str, list] = {}
        for enrolment in unresolved:
            plan = plans[enrolment.pk]
            if position >= len(plan):
                continue
            channel = plan[position]
            person = batch.persons[enrolment.person_id]
            if template_for(variant_of(enrolment)[1], channel, person.language) is None:
                last_reason.setdefault(enrolment.pk, "no_template")
                continue
            groups.setdefault(channel, []).append(enrolment)
        for channel, group in groups.items():
            requests = [gate.Request(e.person_id, channel) for e in group]
            gate.check_many(
                requests, journey.purpose, at=batch.now, source="journey", journey=journey
            )
            for enrolment, request in zip(group, requests, strict=True):
                if request.decision.allowed or request.decision.deferred:
                    chosen[enrolment.pk] = (channel, request.decision)
                else:
                    last_reason[enrolment.pk] = request.decision.reason
        unresolved = [
            e for e in unresolved if e.pk not in chosen and position + 1 < len(plans[e.pk])
        ]
        position += 1

    sources = [s for t in templates.values() for s in (t.subject, t.body_text, t.body_html)]
    facts = facts_for({e.person_id for e in batch.enrolments}, sources)
    domain = settings.PARVIS_EMAIL_DOMAIN
    usual = {}
    if sendtime.enabled(step):
        allowed = [e.person_id for e in batch.enrolments if chosen.get(e.pk, ("", None))[0]]
        usual = sendtime.usual_hours(allowed, batch.now) if allowed else {}
    to_digest = journey.purpose in digest.purposes()
    rows, kept = [], []
    for enrolment in batch.enrolments:
        if enrolment.pk not in chosen:
            reason = last_reason.get(enrolment.pk, "no_channel")
            if reason == "pressure" and to_digest:
                item = _digest_item(batch, enrolment, plans, variant_of, template_for, facts)
                if item is not None:
                    kept.append(item)
                    batch.set(enrolment, Outcome(batch.default_next(), "digest", reason))
                    continue
            batch.set(enrolment, Outcome(batch.default_next(), "not_sent", reason))
            continue
        channel, decision = chosen[enrolment.pk]
        if decision.allowed and channel in sendtime.CHANNELS and enrolment.person_id in usual:
            later = sendtime.best_time(usual[enrolment.person_id], batch.now)
            if later is not None:
                decision = gate.Decision(
                    False, "send_time", defer_until=later, address=decision.address
                )
        person = batch.persons[enrolment.person_id]
        variant, code = variant_of(enrolment)
        template = template_for(code, channel, person.language)
        token = new_token()
        try:
            rendered = render_for(template, person, facts.get(person.pk, {}), token)
        except TemplateError as exc:
            batch.set(enrolment, Outcome(batch.default_next(), "not_sent", str(exc)[:300]))
            continue
        rows.append(
            Dispatch(
                person_id=person.pk,
                channel=channel,
                purpose=journey.purpose,
                address=decision.address,
                language=template.language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                status="queued" if decision.allowed else "deferred",
                reason="" if decision.allowed else decision.reason,
                not_before=decision.defer_until,
                source="journey",
                journey_id=journey.pk,
                enrolment_id=enrolment.pk,
                step_id=step["id"],
                variant=variant,
                template_code=code,
                token=token,
                send_key=f"e{enrolment.pk}:{enrolment.steps_done}:{step['id']}",
                message_id=f"<{token}@{domain}>" if channel == "email" else "",
            )
        )
        outcome = "queued" if decision.allowed else "deferred"
        batch.set(enrolment, Outcome(batch.default_next(), f"{outcome}:{channel}", variant))
    # A step re-run after a crash meets its own send keys: those rows are kept, not doubled.
    bulk.insert(Dispatch, rows, ignore_conflicts=True)
    if kept:
        digest.keep(kept)


def _digest_item(batch, enrolment, plans, variant_of, template_for, facts):
    """The message the pressure cap dropped, rendered as text for the periodic digest."""
    from ..models import DigestItem
    from ..rendering import render_for

    person = batch.persons[enrolment.person_id]
    code = variant_of(enrolment)[1]
    template = template_for(code, "email", person.language) or next(
        (t for c in plans[enrolment.pk] if (t := template_for(code, c, person.language))), None
    )
    if template is None:
        return None
    try:
        rendered = render_for(template, person, facts.get(person.pk, {}), "digest")
    except TemplateError:
        return None
    return DigestItem(
        person_id=person.pk,
        journey_id=batch.version.journey_id,
        purpose=batch.version.journey.purpose,
        subject=rendered.subject[:300],
        body_text=rendered.text,
        send_key=f"e{enrolment.pk}:{enrolment.steps_done}:{batch.step['id']}",
        created_at=batch.now,
    )
