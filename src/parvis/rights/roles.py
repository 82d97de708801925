"""The rights domain's permissions, added to the console's roles after every migration."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

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
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        query = Q(pk__in=[])
        for code in codes:
            app_label, codename = code.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(query))
