"""The rights domain's permissions, added to the console's roles after every migration."""

from parvis.console.roles import add_to_roles

_SUPERVISOR = [
    "rights.view_eligibilityresult",  # the non-take-up report and its CSV
    "rights.view_eligibilityrun",
    "rights.add_eligibilityrun",  # run eligibility
    "rights.view_localrule",
    "rights.view_savedselection",
    "rights.add_savedselection",  # "make it an audience"
]
ROLE_PERMISSIONS = {
    "supervisor": _SUPERVISOR,
    "administrator": [
        *_SUPERVISOR,
        "rights.add_localrule",
        "rights.change_localrule",
        "rights.delete_localrule",
    ],
}


def ensure_permissions(**kwargs) -> None:
    add_to_roles(ROLE_PERMISSIONS)
