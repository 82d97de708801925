"""The map and alerts permissions, added to the console's roles after every migration.

Agents see the map and the counts (aggregates only) and the alerts' pages; supervisors import
areas and compose, send, update and close alerts."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

_AGENT = ["geo.view_area", "geo.view_alert"]
_SUPERVISOR = [*_AGENT, "geo.add_area", "geo.add_alert", "geo.change_alert", "geo.send_alert"]
ROLE_PERMISSIONS = {
    "agent": _AGENT,
    "supervisor": _SUPERVISOR,
    "administrator": [*_SUPERVISOR, "geo.change_area", "geo.delete_area"],
}


def ensure_permissions(**kwargs) -> None:
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        query = Q(pk__in=[])
        for code in codes:
            app_label, codename = code.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(query))
