"""The roles of the agent console, as Django groups with their permissions.

A role is a group: an administrator can create others in the Django admin; these four are
kept in step with the code after every migration."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

AGENT = "agent"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
DPO = "dpo"

_AGENT_PERMS = [
    "people.view_person",
    "people.add_person",
    "people.change_person",
    "people.add_contactpoint",
    "people.add_consent",
    "people.add_interaction",
    "people.view_interaction",
    "cases.view_service",
    "cases.view_case",
    "cases.change_case",
    "cases.add_case",
    "cases.add_message",
    "cases.view_replytemplate",
    # Any agent may see journeys and take a person's journey over.
    "audiences.view_audience",
    "journeys.view_journey",
    "journeys.operate_journey",
    "journeys.view_messagetemplate",
]
# Building audiences and journeys (who gets written to, and what) is for supervisors.
_CAMPAIGN_PERMS = [
    "audiences.add_audience",
    "audiences.change_audience",
    "journeys.add_journey",
    "journeys.change_journey",
    "journeys.add_messagetemplate",
    "journeys.change_messagetemplate",
    # Eligibility: the non-take-up report, runs, saved selections (see parvis.rights.roles).
    "rights.view_eligibilityresult",
    "rights.view_eligibilityrun",
    "rights.add_eligibilityrun",
    "rights.view_localrule",
    "rights.view_savedselection",
    "rights.add_savedselection",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: _AGENT_PERMS,
    SUPERVISOR: [
        *_AGENT_PERMS,
        *_CAMPAIGN_PERMS,
        "cases.view_all_cases",
        "people.view_sensitive_facts",
        "people.add_fact",
    ],
    ADMINISTRATOR: [
        *_AGENT_PERMS,
        *_CAMPAIGN_PERMS,
        "cases.view_all_cases",
        "people.view_sensitive_facts",
        "people.add_fact",
        "people.change_fact",
        "people.view_factkey",
        "people.add_factkey",
        "people.change_factkey",
        "people.view_datasource",
        "people.add_datasource",
        "people.change_datasource",
        "rights.add_localrule",
        "rights.change_localrule",
        "rights.delete_localrule",
        "cases.add_service",
        "cases.add_replytemplate",
        "cases.change_replytemplate",
        "cases.delete_replytemplate",
        "cases.change_service",
        "cases.delete_service",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "auth.add_group",  # roles are groups: the administrator manages them
        "auth.change_group",
        "api.view_apitoken",
        "api.add_apitoken",
        "api.delete_apitoken",
        "integrations.run_import",
        "integrations.review_match",
    ],
    DPO: [
        "people.view_person",
        "people.view_sensitive_facts",
        # The 360° page shows the timeline: the DPO answering an access request sees it whole.
        "people.view_interaction",
        "audit.search_accesslog",
        "audit.view_accesslog",
    ],
}


def _permissions(codes: list[str]):
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def add_to_roles(role_permissions: dict[str, list[str]]) -> None:
    """Add another app's permissions to the existing roles (each app's post_migrate runs after
    the console's, which creates the groups)."""
    for role, codes in role_permissions.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(codes))


def ensure_roles(**kwargs) -> None:
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(codes))
