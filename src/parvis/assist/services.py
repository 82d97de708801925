"""What the AI assist does with cases: triage a message, suggest links and articles, draft a
reply, and record what the agent decided. Every output is a Suggestion row.

The AI routes a message by itself only when its confidence is above the threshold and the
case has no service yet; that routing is visible on the case, revertible, and logged. No
other decision (identity, merge, answer) is taken without an agent."""

import logging
import re

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from parvis.cases.models import Case, CaseEvent, Message, Service
from parvis.cases.sla import add_business_days

from . import conf, drafts, kb, versions
from . import text as textlib
from .models import Article, ModelVersion, Suggestion

logger = logging.getLogger(__name__)

S = Suggestion.Kind
D = Suggestion.Decision


def message_text(message: Message) -> str:
    body = message.body_text or strip_tags(message.body_html or "")
    return f"{message.subject}\n{body}"


def request_text(case: Case) -> str:
    """The citizen's words in this case: the last received message (with its subject)."""
    message = case.messages.filter(direction=Message.Direction.IN).order_by("-created_at", "-id")
    message = message.first()
    return message_text(message) if message else case.subject


# --- triage ----------------------------------------------------------------------------------


def triage_message_id(message_id: int) -> str:
    message = Message.objects.select_related("case", "case__person").filter(pk=message_id).first()
    if message is None or message.direction != Message.Direction.IN:
        return "missing"
    if Suggestion.objects.filter(kind=S.TRIAGE, input_ref=f"message:{message_id}").exists():
        return "already"
    version = versions.active_triage()
    if version is None:
        return "no-model"
    triage_message(message, version)
    return "done"


def triage_message(message: Message, version: ModelVersion | None = None) -> Suggestion:
    version = version or versions.ensure_cold_start()
    model = versions.load(version)
    raw = message_text(message)
    prediction = model.predict(raw)
    case = message.case
    threshold = conf.route_threshold()
    service = Service.objects.filter(slug=prediction.label).first()
    output = prediction.as_output()
    output.update(
        service_id=service.pk if service else None,
        service_name=service.name if service else prediction.label,
        threshold=threshold,
        routed=False,
    )
    explanation = prediction.as_explanation()
    explanation["urgency_cues"] = textlib.urgency_cues(raw)
    if prediction.empty:
        explanation["reason"] = _("The message has no text to read (empty or only a signature).")
    elif prediction.language not in ("fr", "und"):
        explanation["reason"] = _("The message is not in French (%(language)s): check it.") % {
            "language": prediction.language
        }
    decision = D.PENDING
    routable = (
        case.service_id is None
        and service is not None
        and not prediction.empty
        and prediction.language in ("fr", "und")  # a message in another language: a person
        and prediction.confidence >= threshold
    )
    with transaction.atomic():
        if routable:
            _route(case, service, prediction, version)
            output["routed"] = True
            decision = D.AUTO
        suggestion = Suggestion.objects.create(
            kind=S.TRIAGE,
            case=case,
            model_version=version,
            model_label=version.label,
            input_ref=f"message:{message.pk}",
            output=output,
            explanation=explanation,
            confidence=prediction.confidence,
            decision=decision,
        )
    if message.case.messages.filter(direction=Message.Direction.IN).count() == 1:
        # A new request: look for links, articles and prepare a draft once.
        suggest_links(case, raw, model, version)
        suggest_articles_and_draft(case, raw)
    return suggestion


def _route(case: Case, service: Service, prediction, version: ModelVersion) -> None:
    updates = {
        "service": service,
        "due_at": add_business_days(case.created_at, service.sla_business_days),
    }
    if prediction.urgency == "urgent" and case.priority < Case.Priority.HIGH:
        updates["priority"] = Case.Priority.HIGH
    Case.objects.filter(pk=case.pk).update(**updates)
    for name, value in updates.items():
        setattr(case, name, value)
    CaseEvent.objects.create(
        case=case,
        kind="service",
        summary=(
            _("Routed by the AI to %(service)s (confidence %(confidence)d %%, model %(model)s)")
            % {
                "service": service.name,
                "confidence": round(prediction.confidence * 100),
                "model": version.label,
            }
        )[:300],
    )


def triage_untriaged(limit: int = 1000) -> int:
    """Triage the received messages that have no triage yet (after the first model)."""
    done = set(Suggestion.objects.filter(kind=S.TRIAGE).values_list("input_ref", flat=True))
    count = 0
    messages = Message.objects.filter(
        direction=Message.Direction.IN, case__status__in=Case.OPEN_STATUSES
    ).order_by("created_at", "id")[:limit]
    for message in messages:
        if f"message:{message.pk}" not in done:
            triage_message(message)
            count += 1
    return count


def decide_triage(suggestion: Suggestion, *, user, service: Service | None) -> Suggestion:
    """The agent confirms the predicted service (service None or the same) or picks another."""
    case = suggestion.case
    predicted = suggestion.output.get("service_id")
    chosen = service or Service.objects.filter(pk=predicted).first()
    if chosen is None:
        raise ValueError(_("Choose a service."))
    from parvis.cases import services as cases

    with transaction.atomic():
        if case.service_id != chosen.pk:
            cases.assign(case, service=chosen, agent=case.assignee, actor=user)
        _decide(suggestion, user, D.ACCEPTED if chosen.pk == predicted else D.REJECTED,
                note=chosen.name)  # fmt: skip
    return suggestion


def _decide(suggestion: Suggestion, user, decision: str, note: str = "") -> None:
    suggestion.decision = decision
    suggestion.decided_by = user if getattr(user, "pk", None) else None
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = note[:300]
    suggestion.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])


# --- links -------------------------------------------------------------------------------------

_NAME_CUES = re.compile(
    r"(?:je (?:suis|m'appelle|me nomme)|de la part de|pour le compte de|concernant|"
    r"(?:madame|monsieur|mme|mr|m\.))\s+([A-ZÀ-Ý][\w'À-ÿ-]+(?:\s+[A-ZÀ-Ý][\w'À-ÿ-]+){1,2})",
)
_SIGNATURE_NAME = re.compile(r"^\s*([A-ZÀ-Ý][a-zà-ÿ'-]+(?:[ -][A-ZÀ-Ý][\wà-ÿ'-]+){1,2})\s*$")


def names_in(text: str) -> list[str]:
    """Person names written in a message: after "je suis…", "Madame…", or a signature line."""
    found = [m.group(1) for m in _NAME_CUES.finditer(text or "")]
    lines = [line for line in (text or "").splitlines() if line.strip()][-6:]
    for line in lines:
        match = _SIGNATURE_NAME.match(line)
        if match and not textlib.fold(match.group(1)).startswith(("bonjour", "cordialement")):
            found.append(match.group(1))
    unique = []
    for name in found:
        if name not in unique:
            unique.append(name)
    return unique[:3]


def suggest_links(case: Case, raw: str, model, version: ModelVersion) -> list[Suggestion]:
    made = []
    if case.person_id:
        similar = _same_subject_cases(case, raw, model)
        if similar:
            made.append(
                Suggestion.objects.create(
                    kind=S.LINK_CASE,
                    case=case,
                    model_version=version,
                    model_label=version.label,
                    input_ref=f"case:{case.pk}",
                    output={"cases": similar},
                    explanation={
                        "why": _("Open case of the same person with similar words"),
                    },
                    confidence=similar[0]["similarity"],
                )
            )
    elif not case.candidate_ids:
        persons = _named_persons(raw)
        if persons:
            made.append(
                Suggestion.objects.create(
                    kind=S.LINK_PERSON,
                    case=case,
                    model_label="people-search",
                    input_ref=f"case:{case.pk}",
                    output={"persons": persons},
                    explanation={"why": _("Names written in the message")},
                    confidence=None,
                )
            )
    return made


def _same_subject_cases(case: Case, raw: str, model, minimum: float = 0.25) -> list[dict]:
    """Open cases of the same person whose request is close: the mean of the word and the
    character n-gram cosines (characters match "inscrire" with "inscription")."""
    others = list(
        Case.objects.filter(
            person_id=case.person_id, status__in=Case.OPEN_STATUSES, merged_into__isnull=True
        )
        .exclude(pk=case.pk)
        .order_by("-updated_at")[:20]
    )
    if not others:
        return []
    texts = [request_text(other) for other in others]
    from . import triage

    mine_text = triage.prepare(raw)
    their_texts = [triage.prepare(t) for t in texts]
    scores = (
        sum(
            (vectorizer.transform(their_texts) @ vectorizer.transform([mine_text]).T)
            .toarray()
            .ravel()
            for vectorizer in (model.words, model.chars)
        )
        / 2
    )
    ranked = sorted(zip(others, scores, strict=True), key=lambda pair: -pair[1])
    return [
        {
            "case_id": other.pk,
            "reference": other.reference,
            "subject": other.subject,
            "similarity": round(float(score), 3),
        }
        for other, score in ranked[:3]
        if score >= minimum
    ]


def _named_persons(raw: str) -> list[dict]:
    from parvis.people.search import search_people

    persons = []
    for name in names_in(raw):
        result = search_people(name, limit=6)
        if result.kind == "name" and 0 < len(result.persons) <= 5:
            for person in result.persons:
                entry = {"id": person.pk, "label": str(person), "name_in_text": name}
                if all(p["id"] != person.pk for p in persons):
                    persons.append(entry)
    return persons[:5]


def decide_link(suggestion: Suggestion, *, user, accept: bool, target_id: int | None = None):
    from parvis.cases import services as cases
    from parvis.people.models import Person

    case = suggestion.case
    if not accept:
        _decide(suggestion, user, D.REJECTED)
        return suggestion
    with transaction.atomic():
        if suggestion.kind == S.LINK_CASE:
            allowed = {c["case_id"] for c in suggestion.output.get("cases", [])}
            if target_id not in allowed:
                raise ValueError(_("This case was not suggested."))
            target = Case.objects.get(pk=target_id)
            cases.merge(case, target, actor=user)
            note = target.reference
        else:
            allowed = {p["id"] for p in suggestion.output.get("persons", [])}
            if target_id not in allowed:
                raise ValueError(_("This person was not suggested."))
            person = Person.objects.get(pk=target_id)
            cases.link_person(case, person, actor=user)
            note = str(person)
        _decide(suggestion, user, D.ACCEPTED, note=note)
    return suggestion


# --- articles and drafts ---------------------------------------------------------------------


def search_model_label() -> str:
    return f"kb-search:{connection.vendor}"


def suggest_articles_and_draft(case: Case, raw: str | None = None, agent=None):
    raw = raw if raw is not None else request_text(case)
    own, _history = textlib.split_message(raw)
    question = textlib.without_signature(own)
    hits = kb.search(question, limit=3) if textlib.has_request(raw) else []
    articles_suggestion = Suggestion.objects.create(
        kind=S.ARTICLES,
        case=case,
        model_label=search_model_label(),
        input_ref=f"case:{case.pk}",
        output={
            "articles": [
                {"id": h.article.pk, "title": h.article.title, "score": h.rank} for h in hits
            ]
        },
        explanation={"coverage": [h.score for h in hits], "terms": kb.query_terms(question)},
        confidence=hits[0].rank if hits else None,
    )
    articles = [h.article for h in hits if kb.is_confident([h])] or [h.article for h in hits[:1]]
    draft = draft_reply(case, question, articles, agent)
    return articles_suggestion, draft


def draft_reply(case: Case, question: str, articles: list[Article], agent=None) -> Suggestion:
    composed = drafts.compose(case, question, articles, agent)
    label = f"llm:{composed.model}" if composed.method == "llm" else "extractive-draft"
    # A pending draft replaced by a new one is not a decision of the agent: it is withdrawn.
    Suggestion.objects.filter(case=case, kind=S.DRAFT, decision=D.PENDING).update(
        decision=D.REJECTED, decision_note="replaced by a new draft", decided_at=timezone.now()
    )
    return Suggestion.objects.create(
        kind=S.DRAFT,
        case=case,
        model_label=label,
        input_ref=f"case:{case.pk}",
        output={"text": composed.text, "method": composed.method, "sources": composed.sources},
        explanation={
            "sources": composed.sources,
            "fallback_reason": composed.fallback_reason,
        },
    )


def send_draft(suggestion: Suggestion, *, user, text: str) -> Message:
    """The agent sends the draft, as it is or edited: a reply to the citizen, and the
    decision and edit distance recorded. The AI notice stays at the bottom."""
    from parvis.cases import services as cases

    if suggestion.kind != S.DRAFT or suggestion.decision != D.PENDING:
        raise ValueError(_("This draft was already used or rejected."))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValueError(_("The answer is empty."))
    draft = suggestion.output.get("text", "").strip()
    notices = drafts.AI_NOTICE.values()
    if not any(notice in text for notice in notices):
        language = "en" if drafts.AI_NOTICE["en"] in draft else "fr"
        text = f"{text}\n\n—\n{drafts.AI_NOTICE[language]}"
    distance = Levenshtein.normalized_distance(draft, text)
    with transaction.atomic():
        message = cases.reply(suggestion.case, author=user, body=text)
        suggestion.final_text = text
        suggestion.edit_distance = round(distance, 4)
        _decide(suggestion, user, D.ACCEPTED if distance == 0 else D.EDITED)
        suggestion.save(update_fields=["final_text", "edit_distance"])
    return message


def reject_draft(suggestion: Suggestion, *, user, note: str = "") -> Suggestion:
    if suggestion.decision != D.PENDING:
        raise ValueError(_("This draft was already used or rejected."))
    _decide(suggestion, user, D.REJECTED, note)
    return suggestion


def draft_metrics(since=None) -> dict:
    drafts_qs = Suggestion.objects.filter(kind=S.DRAFT).exclude(
        decision_note="replaced by a new draft"
    )
    if since:
        drafts_qs = drafts_qs.filter(created_at__gte=since)
    counts = drafts_qs.aggregate(
        decided=Count("id", filter=~Q(decision=D.PENDING)),
        accepted=Count("id", filter=Q(decision=D.ACCEPTED)),
        edited=Count("id", filter=Q(decision=D.EDITED)),
        rejected=Count("id", filter=Q(decision=D.REJECTED)),
        distance=Avg("edit_distance", filter=Q(decision__in=[D.ACCEPTED, D.EDITED])),
    )
    decided = counts["decided"] or 0
    used = (counts["accepted"] or 0) + (counts["edited"] or 0)
    return {
        **counts,
        "acceptance_rate": round(used / decided, 3) if decided else None,
        "unchanged_rate": round((counts["accepted"] or 0) / decided, 3) if decided else None,
        "mean_edit_distance": round(counts["distance"], 3)
        if counts["distance"] is not None
        else None,
    }


def triage_metrics() -> dict:
    """How often agents kept the AI's routing (auto or suggested)."""
    qs = Suggestion.objects.filter(kind=S.TRIAGE)
    counts = qs.aggregate(
        total=Count("id"),
        auto=Count("id", filter=Q(output__routed=True)),
        confirmed=Count("id", filter=Q(decision=D.ACCEPTED)),
        changed=Count("id", filter=Q(decision=D.REJECTED)),
        pending=Count("id", filter=Q(decision=D.PENDING)),
    )
    decided = (counts["confirmed"] or 0) + (counts["changed"] or 0)
    counts["agreement"] = round(counts["confirmed"] / decided, 3) if decided else None
    return counts


# --- the panel on the case page -----------------------------------------------------------------


def latest(case: Case, kind: str) -> Suggestion | None:
    return case.ai_suggestions.filter(kind=kind).order_by("-created_at", "-id").first()


def case_panel_context(case: Case, user) -> dict:
    """What the case page shows of the AI: prediction and explanation, links, articles,
    the draft. Empty for a user without the right (the include then shows nothing)."""
    user = user or AnonymousUser()
    if not user.has_perm("assist.use_assist"):
        return {"assist": None}
    triage = latest(case, S.TRIAGE)
    articles_suggestion = latest(case, S.ARTICLES)
    article_ids = [
        a["id"]
        for a in (articles_suggestion.output.get("articles", []) if articles_suggestion else [])
    ]
    articles = {a.pk: a for a in Article.objects.filter(pk__in=article_ids)}
    draft = case.ai_suggestions.filter(kind=S.DRAFT, decision=D.PENDING).order_by("-id").first()
    links = [
        s
        for s in case.ai_suggestions.filter(
            kind__in=[S.LINK_CASE, S.LINK_PERSON], decision=D.PENDING
        ).order_by("-id")
    ]
    documents = case.ai_suggestions.filter(kind=S.DOCUMENT).order_by("-id")[:10]
    return {
        "assist": {
            "case": case,
            "triage": triage,
            "triage_words": (triage.explanation.get("words", []) if triage else [])[:8],
            "triage_neighbours": (triage.explanation.get("neighbours", []) if triage else []),
            "articles": [articles[i] for i in article_ids if i in articles],
            "draft": draft,
            "links": links,
            "documents": list(documents),
            "services": list(Service.objects.order_by("name")),
            "threshold": conf.route_threshold(),
        }
    }


def triage_queue():
    """Cases waiting for a person to route them: no service, a triage not acted upon."""
    return (
        Case.objects.filter(
            service__isnull=True, status__in=Case.OPEN_STATUSES, merged_into__isnull=True
        )
        .filter(ai_suggestions__kind=S.TRIAGE, ai_suggestions__decision=D.PENDING)
        .distinct()
        .order_by("created_at", "id")
    )


def classify_message_attachments(message_id: int) -> int:
    """Recognise the accepted attachments of a message (documents.classify_attachment) and
    store each result as a suggestion for the agent to confirm. Idempotent."""
    from parvis.cases.models import Attachment

    from . import documents

    count = 0
    attachments = Attachment.objects.filter(
        message_id=message_id, status=Attachment.Status.ACCEPTED
    ).select_related("message__case")
    for attachment in attachments:
        ref = f"attachment:{attachment.pk}"
        if (
            not attachment.file
            or Suggestion.objects.filter(kind=S.DOCUMENT, input_ref=ref).exists()
        ):
            continue
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
            result = documents.classify_attachment(
                data, attachment.content_type, attachment.filename
            )
        except Exception:  # a file that cannot be read must not stop the others
            logger.exception("Document recognition failed for attachment %s", attachment.pk)
            continue
        output = _jsonable(result.to_dict())
        Suggestion.objects.create(
            kind=S.DOCUMENT,
            case=attachment.message.case,
            model_label=f"documents:{result.version}",
            input_ref=ref,
            output={"filename": attachment.filename, **output},
            explanation={"reasons": output.get("reasons", [])},
            confidence=result.confidence,
        )
        count += 1
    return count


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=str))
