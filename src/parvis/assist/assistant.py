"""The citizen's self-service assistant: answers from the knowledge base, says when it is
not sure, and turns the conversation into a request when the citizen wants a person.

The conversation lives in the citizen's session (nothing is stored about an anonymous
visitor until they choose to write to the town hall); each answer given is logged as a
suggestion without a case, for transparency."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from parvis.cases import intake
from parvis.channels.messages import IncomingMessage
from parvis.people.models import Channel

from . import kb
from .models import Suggestion

MAX_TURNS = 12
MAX_QUESTION = 1000
SESSION_KEY = "assist_conversation"


@dataclass
class Answer:
    question: str
    confident: bool
    articles: list[dict]

    def as_dict(self) -> dict:
        return {"q": self.question, "confident": self.confident, "articles": self.articles}


def answer(question: str) -> Answer:
    question = " ".join((question or "").split())[:MAX_QUESTION]
    hits = kb.search(question, limit=3) if question else []
    confident = kb.is_confident(hits)
    articles = [
        {
            "id": h.article.pk,
            "title": h.article.title,
            "url": h.article.url,
            "attribution": h.article.attribution,
            "excerpt": " ".join(kb.snippet(h.article, question, sentences=2))[:600],
        }
        for h in (hits if confident else hits[:2])
    ]
    Suggestion.objects.create(
        kind=Suggestion.Kind.ARTICLES,
        case=None,
        model_label=f"kb-search:portal:{'confident' if confident else 'unsure'}",
        input_ref="portal:assistant",
        output={"articles": [{"id": a["id"], "title": a["title"]} for a in articles]},
        explanation={"terms": kb.query_terms(question), "coverage": [h.score for h in hits]},
        confidence=hits[0].rank if hits else None,
    )
    return Answer(question, confident, articles)


def remember(session, result: Answer) -> list[dict]:
    turns = list(session.get(SESSION_KEY, []))[-(MAX_TURNS - 1) :]
    turns.append(result.as_dict())
    session[SESSION_KEY] = turns
    return turns


def transcript(turns: list[dict]) -> str:
    lines = [_("Conversation with the online assistant:"), ""]
    for turn in turns:
        lines.append(_("Question: %(q)s") % {"q": turn["q"]})
        if turn["articles"]:
            titles = "; ".join(a["title"] for a in turn["articles"])
            label = _("Suggested") if turn["confident"] else _("Not sure; suggested")
            lines.append(f"{label}: {titles}")
        else:
            lines.append(_("No answer found."))
        lines.append("")
    return "\n".join(lines).strip()


def subject_for(turns: list[dict]) -> str:
    first = turns[0]["q"] if turns else ""
    return (first[:120] + "…") if len(first) > 120 else first or _("Question to the town hall")


def open_request_for_citizen(person, turns: list[dict], extra: str = "") -> intake.IntakeResult:
    """A case for a signed-in citizen carrying the whole conversation."""
    import uuid

    from django.conf import settings

    body = transcript(turns)
    if extra.strip():
        body = f"{extra.strip()}\n\n{body}"
    incoming = IncomingMessage(
        channel=Channel.PORTAL,
        sender_name=str(person)[:200],
        subject=subject_for(turns),
        body_text=body,
        message_id=f"<assistant-{person.pk}-{uuid.uuid4().hex}@portal.{settings.PARVIS_EMAIL_DOMAIN}>",
    )
    return intake.receive(incoming, person=person)
