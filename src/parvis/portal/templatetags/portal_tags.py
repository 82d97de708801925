from django import template
from django.utils.safestring import mark_safe

from parvis.channels.sanitize import sanitize_html

from ..services import fact_value_display

register = template.Library()


@register.filter
def sanitized(html: str) -> str:
    """Stored HTML is sanitised on the way in; cleaning again on the way out costs little
    and protects the citizen from a row written by anything else."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 output


@register.filter
def fact_value(fact) -> str:
    return fact_value_display(fact)
