"""Which cases an agent may see: those of the services they belong to, those assigned to
them, and those no service has taken yet (the triage queue). Supervisors and administrators
see every service's cases. A case out of reach is answered 404, as if it did not exist."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Case

SEE_ALL = "cases.view_all_cases"


def within_services(user, prefix: str = "") -> Q:
    """The rule shared by what a service owns (cases, appointment places...): what no service
    owns, or one of the user's services; everything for those who see all. `prefix` reaches
    the service through a relation, e.g. "place__"."""
    if user.has_perm(SEE_ALL):
        return Q()
    return Q(**{f"{prefix}service__isnull": True}) | Q(
        **{f"{prefix}service__in": user.services.values("pk")}
    )


def visible_to(user) -> Q:
    """The condition on cases for this user: their services' and those assigned to them."""
    if user.has_perm(SEE_ALL):
        return Q()
    return within_services(user) | Q(assignee_id=user.pk)


def visible_cases(user, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    return (Case.objects.all() if cases is None else cases).filter(visible_to(user))


def case_for(user, case_id: int, cases: QuerySet[Case] | None = None) -> Case:
    return get_object_or_404(visible_cases(user, cases), pk=case_id)
