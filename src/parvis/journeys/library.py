"""Journey templates shipped with Parvis, installed as drafts an agent adapts and starts:

* ``passport`` — passport / identity card renewal: the message months before expiry on the
  preferred channel, a reminder with the link to pre-fill the request and book, the list of
  documents the day before the appointment, an agent task when nobody booked (see `demo`);
* ``document-ready`` — the SMS when the document is ready (started by the fact
  ``passport_ready_on`` being recorded);
* ``benefit-outreach`` — people probably entitled to a benefit and not claiming it (the
  rights domain's eligibility results): information, a reminder to those who did not click,
  then an agent's call;
* ``event`` — a personalised sequence before an event: M-1, D-7, D-1 and D-day, from the
  date in the person's fact ``event_on`` (registration). Someone registering late skips the
  milestones already past instead of receiving them all at once.

`install(key)` is idempotent: templates are updated, the journey is created once (draft)."""

from __future__ import annotations

from django.db import transaction

from parvis.audiences import filters
from parvis.audiences.models import Audience
from parvis.people.models import FactKey

from . import services
from .models import Journey, MessageTemplate

SIGNATURE = "\n\nLa mairie de {{ town }}\n\nNe plus recevoir ces messages : {{ links.unsubscribe }}"

BENEFIT_TEMPLATES = [
    (
        "benefit-info",
        "email",
        "fr",
        "Vous avez peut-être droit à une aide",
        "Bonjour {{ person.first_names }},\n\nD'après les informations dont dispose la "
        "mairie, vous pourriez avoir droit à une aide que vous ne percevez pas aujourd'hui. "
        "Vérifier et faire la demande prend quelques minutes : {{ links.portal }}\n\n"
        "Un agent peut aussi vous recevoir ou vous appeler, il suffit de répondre à ce "
        "message." + SIGNATURE,
        "",
    ),
    (
        "benefit-info",
        "sms",
        "fr",
        "",
        "Mairie de {{ town }} : vous pourriez avoir droit à une aide. Vérifiez sur "
        "{{ links.portal }} ou répondez pour être rappelé. STOP au 36111",
        "",
    ),
    (
        "benefit-info",
        "postal",
        "fr",
        "Une aide à laquelle vous avez peut-être droit",
        "Madame, Monsieur,\n\nD'après les informations dont dispose la mairie, vous pourriez "
        "avoir droit à une aide que vous ne percevez pas aujourd'hui. Nos agents peuvent vous "
        "aider à faire la demande : présentez-vous à l'accueil de la mairie avec ce courrier, "
        "ou appelez-nous.\n\nLa mairie de {{ town }}",
        "",
    ),
    (
        "benefit-reminder",
        "email",
        "fr",
        "Rappel : une aide à laquelle vous avez peut-être droit",
        "Bonjour {{ person.first_names }},\n\nNous vous avions écrit au sujet d'une aide à "
        "laquelle vous pourriez avoir droit. Si vous le souhaitez, un agent peut vous aider à "
        "faire la demande : {{ links.portal }}" + SIGNATURE,
        "",
    ),
]

EVENT_TEMPLATES = [
    (
        code,
        channel,
        "fr",
        subject if channel == "email" else "",
        text,
        "",
    )
    for code, subject, text in [
        (
            "event-m1",
            "Dans un mois : votre événement le {{ facts.event_on }}",
            "Bonjour {{ person.first_names }},\n\nVous êtes inscrit(e) à l'événement du "
            "{{ facts.event_on }}. Le programme et les informations pratiques sont sur "
            "{{ links.portal }}",
        ),
        (
            "event-d7",
            "Dans une semaine : votre événement du {{ facts.event_on }}",
            "Bonjour {{ person.first_names }},\n\nPlus qu'une semaine avant l'événement du "
            "{{ facts.event_on }}. Pensez à vérifier les horaires et l'accès : "
            "{{ links.portal }}",
        ),
        (
            "event-d1",
            "Demain : votre événement",
            "Bonjour {{ person.first_names }},\n\nC'est demain ({{ facts.event_on }}). "
            "Pensez à votre confirmation d'inscription.",
        ),
        (
            "event-dday",
            "C'est aujourd'hui !",
            "Bonjour {{ person.first_names }},\n\nC'est aujourd'hui. À tout à l'heure !",
        ),
    ]
    for channel in ("email", "sms")
]

READY_TEMPLATES = [
    (
        "passport-ready",
        "sms",
        "fr",
        "",
        "Mairie de {{ town }} : votre passeport est prêt. Venez le retirer à l'accueil.",
        "",
    ),
    (
        "passport-ready",
        "email",
        "fr",
        "Votre passeport est prêt",
        "Bonjour {{ person.first_names }},\n\nVotre passeport est prêt. Venez le retirer à "
        "l'accueil de la mairie aux heures d'ouverture, muni(e) de votre ancien passeport."
        + SIGNATURE,
        "",
    ),
]


def _late(key: str, days: int, goto: str) -> dict:
    """A split: the date is nearer than `days` — that milestone is past, go on to `goto`."""
    return {
        "kind": "split",
        "branches": [
            {"if": {"kind": "fact", "key": key, "op": "before", "to": {"days": days}}, "goto": goto}
        ],
    }


EVENT_STEPS = [
    {"id": "until-m1", "kind": "wait", "mode": "fact", "key": "event_on", "offset_days": -30,
     "at_hour": 10},
    {"id": "late-m1", **_late("event_on", 25, "until-d7")},
    {"id": "m1", "kind": "send", "template": "event-m1", "channels": ["preferred", "email", "sms"]},
    {"id": "until-d7", "kind": "wait", "mode": "fact", "key": "event_on", "offset_days": -7,
     "at_hour": 10},
    {"id": "late-d7", **_late("event_on", 5, "until-d1")},
    {"id": "d7", "kind": "send", "template": "event-d7", "channels": ["preferred", "email", "sms"]},
    {"id": "until-d1", "kind": "wait", "mode": "fact", "key": "event_on", "offset_days": -1,
     "at_hour": 10},
    {"id": "late-d1", **_late("event_on", 0, "until-dday")},
    {"id": "d1", "kind": "send", "template": "event-d1", "channels": ["sms", "email"],
     "send_time": "now"},
    {"id": "until-dday", "kind": "wait", "mode": "fact", "key": "event_on", "offset_days": 0,
     "at_hour": 8},
    {"id": "dday", "kind": "send", "template": "event-dday", "channels": ["sms", "email"],
     "send_time": "now"},
    {"id": "end", "kind": "exit"},
]  # fmt: skip

BENEFIT_STEPS = [
    {"id": "info", "kind": "send", "template": "benefit-info",
     "channels": ["preferred", "email", "sms", "postal"]},
    {"id": "wait-3w", "kind": "wait", "mode": "duration", "days": 21},
    {"id": "clicked", "kind": "engagement", "event": "clicked", "yes": "end"},
    {"id": "reminder", "kind": "send", "template": "benefit-reminder",
     "channels": ["preferred", "email"]},
    {"id": "wait-2w", "kind": "wait", "mode": "duration", "days": 14},
    {"id": "call", "kind": "task", "title": "Appeler pour proposer un accompagnement"},
    {"id": "end", "kind": "exit", "as_goal": True},
]  # fmt: skip

READY_STEPS = [
    {"id": "ready", "kind": "send", "template": "passport-ready",
     "channels": ["sms", "email", "postal"], "send_time": "now"},
    {"id": "end", "kind": "exit", "as_goal": True},
]  # fmt: skip

FACT_KEYS = {
    "event_on": ("Date de l'événement (inscription)", "date", "other"),
    "passport_ready_on": ("Passeport prêt à retirer", "date", "identity"),
}

LIBRARY = {
    "benefit-outreach": {
        "name": "Aller vers : aide non réclamée",
        "purpose": "proactive_rights",
        "templates": BENEFIT_TEMPLATES,
        "steps": BENEFIT_STEPS,
        "trigger": "manual",
    },
    "event": {
        "name": "Événement : M-1, J-7, J-1, jour J",
        "purpose": "alerts",
        "templates": EVENT_TEMPLATES,
        "steps": EVENT_STEPS,
        "trigger": "fact_changed",
        "trigger_fact_key": "event_on",
        "facts": ["event_on"],
    },
    "document-ready": {
        "name": "Passeport prêt : prévenir",
        "purpose": "document_reminders",
        "templates": READY_TEMPLATES,
        "steps": READY_STEPS,
        "trigger": "fact_changed",
        "trigger_fact_key": "passport_ready_on",
        "facts": ["passport_ready_on"],
        "reentry": "after_exit",
    },
}


def keys() -> list[str]:
    return ["passport", *LIBRARY]


def _fact_keys(names):
    for name in names:
        label, value_type, category = FACT_KEYS[name]
        FactKey.objects.get_or_create(
            key=name, defaults={"label": label, "value_type": value_type, "category": category}
        )


def _templates(rows):
    for code, channel, language, subject, text, html in rows:
        MessageTemplate.objects.update_or_create(
            code=code,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body_text": text, "body_html": html},
        )


@transaction.atomic
def install(key: str, *, audience: Audience | None = None, benefit: str = "") -> Journey:
    """Install one shipped journey (a draft, unless it exists already)."""
    if key == "passport":
        from .demo import install_demo

        return install_demo()
    spec = LIBRARY[key]
    _fact_keys(spec.get("facts", []))
    _templates(spec["templates"])
    journey = Journey.objects.filter(name=spec["name"]).first()
    if journey is not None:
        return journey
    if audience is None and key == "benefit-outreach" and filters.eligibility_source():
        audience, _created = Audience.objects.get_or_create(
            name=f"Droits probables non réclamés ({benefit or 'rsa'})",
            defaults={
                "definition": filters.validate(
                    {
                        "kind": "all",
                        "conditions": [
                            {
                                "kind": "eligibility",
                                "benefit": benefit or "rsa",
                                "unclaimed": True,
                            }
                        ],
                    }
                )
            },
        )
    data = {
        "name": spec["name"],
        "purpose": spec["purpose"],
        "audience": audience,
        "trigger": spec["trigger"],
        "trigger_fact_key": spec.get("trigger_fact_key", ""),
        "reentry": spec.get("reentry", "never"),
    }
    journey = services.save_journey(data)
    services.new_version(journey, spec["steps"])
    return journey


def install_all() -> list[Journey]:
    return [install(key) for key in keys()]
