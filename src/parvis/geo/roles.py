"""The map and alerts permissions, added to the console's roles after every migration.

Agents see the map and the counts (aggregates only) and the alerts' pages; supervisors import
areas and compose, send, update and close alerts."""

from parvis.console.roles import add_to_roles

_AGENT = ["geo.view_area", "geo.view_alert"]
_SUPERVISOR = [*_AGENT, "geo.add_area", "geo.add_alert", "geo.change_alert", "geo.send_alert"]
ROLE_PERMISSIONS = {
    "agent": _AGENT,
    "supervisor": _SUPERVISOR,
    "administrator": [*_SUPERVISOR, "geo.change_area", "geo.delete_area"],
}


def ensure_permissions(**kwargs) -> None:
    add_to_roles(ROLE_PERMISSIONS)
