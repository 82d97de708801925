from django import template
from django.utils.safestring import mark_safe

from parvis.channels.sanitize import sanitize_html

register = template.Library()


@register.filter
def sanitized(html: str) -> str:
    """Stored HTML was sanitised when received; cleaning it again on the way out costs
    little and protects the agent from a row written by anything else."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 output


@register.filter
def agent_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


@register.simple_tag
def status_badge_class(status: str) -> str:
    return {
        "new": "fr-badge--new",
        "open": "fr-badge--info",
        "waiting": "fr-badge--warning",
        "resolved": "fr-badge--success",
    }.get(status, "")
