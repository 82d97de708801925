"""The appointments' permissions, added to the console's roles after every migration."""

from parvis.console.roles import add_to_roles

_AGENT = [
    "appointments.view_place",
    "appointments.view_appointment",  # the daily agenda of a place
    "appointments.change_appointment",  # attended / no-show, cancel for the citizen
]
ROLE_PERMISSIONS = {
    "agent": _AGENT,
    "supervisor": _AGENT,
    "administrator": [
        *_AGENT,
        "appointments.add_place",
        "appointments.change_place",
        "appointments.add_motive",
        "appointments.change_motive",
        "appointments.add_openinghours",
        "appointments.change_openinghours",
        "appointments.delete_openinghours",
        "appointments.add_availability",
        "appointments.change_availability",
        "appointments.delete_availability",
        "appointments.add_closure",
        "appointments.change_closure",
        "appointments.delete_closure",
    ],
}


def ensure_permissions(**kwargs) -> None:
    add_to_roles(ROLE_PERMISSIONS)
