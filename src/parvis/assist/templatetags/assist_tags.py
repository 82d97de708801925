from django import template

from parvis.assist import services

register = template.Library()


@register.inclusion_tag("assist/_case_panel.html", takes_context=True)
def assist_case_panel(context, case):
    """{% assist_case_panel case %}: the AI panel of a case, for whoever may see it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        **services.case_panel_context(case, user),
        "request": request,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request else "",
    }


@register.filter
def percent(value):
    try:
        return f"{float(value) * 100:.0f} %"
    except (TypeError, ValueError):
        return "—"
