"""Which cases an agent may see: those of the services they belong to, those assigned to
them, and those no service has taken yet (the triage queue). Supervisors and administrators
see every service's cases. A case out of reach is answered 404, as if it did not exist."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Case

SEE_ALL = "cases.view_all_cases"


def visible_to(user) -> Q:
    """The condition on cases (or on a `case__` path, see `visible_cases`) for this user."""
    if user.has_perm(SEE_ALL):
        return Q()
    return (
        Q(service__isnull=True) | Q(service__in=user.services.values("pk")) | Q(assignee_id=user.pk)
    )


def visible_cases(user, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    return (Case.objects.all() if cases is None else cases).filter(visible_to(user))


def case_for(user, case_id: int, cases: QuerySet[Case] | None = None) -> Case:
    return get_object_or_404(visible_cases(user, cases), pk=case_id)
