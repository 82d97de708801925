"""The agent side of the web chat. A chat is a case on the "chat" channel: the citizen's
lines come in through the intake (portal), the agent's lines are answers (`services.reply`)
that the portal shows; both sides poll the same Message rows."""

from django.db.models import OuterRef, QuerySet, Subquery

from parvis.people.models import Channel

from . import services
from .access import visible_cases
from .models import Case, Message

CONVERSATION = [Message.Direction.IN, Message.Direction.OUT]


def open_chats(user, limit: int = 50) -> QuerySet[Case]:
    """Chats going on, the most recent activity first, each with its last line."""
    last = Message.objects.filter(case=OuterRef("pk"), direction__in=CONVERSATION).order_by(
        "-created_at", "-id"
    )
    return (
        visible_cases(user)
        .filter(channel=Channel.CHAT, status__in=list(Case.OPEN_STATUSES))
        .select_related("person", "assignee")
        .annotate(
            last_direction=Subquery(last.values("direction")[:1]),
            last_text=Subquery(last.values("body_text")[:1]),
        )
        .order_by("-updated_at")[:limit]
    )


def chat_lines(case: Case) -> list[Message]:
    return list(
        case.messages.filter(direction__in=CONVERSATION)
        .select_related("author")
        .order_by("created_at", "id")
    )


def has_new_lines(case: Case, since: int) -> bool:
    return case.messages.filter(pk__gt=since, direction__in=CONVERSATION).exists()


def send_line(case: Case, *, author, text: str) -> Message:
    """An agent's line: an answer on the chat channel. A chat goes back and forth, so a
    line does not put the case in "waiting for the citizen" as an email answer does; a new
    chat becomes "open" when the agent first writes."""
    keep = Case.Status.OPEN if case.status == Case.Status.NEW else case.status
    return services.reply(case, author=author, body=text, channel=Channel.CHAT, new_status=keep)
