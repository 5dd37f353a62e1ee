"""Who may see or change what: the one place views ask.

A plan is visible to its members (and superusers). Within it, what a user may
do follows their role: everyone reads; county staff and plan admins edit
records; liaison officers and plan admins review years; plan admins import and
manage members. A plan the user may not see is "not found", so its existence
and ids leak nothing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from plans.models import Plan, PlanMembership

VIEW, EDIT, REVIEW, ADMIN = "view", "edit", "review", "admin"
_ROLES_FOR = {
    VIEW: {PlanMembership.Role.STAFF, PlanMembership.Role.LIAISON, PlanMembership.Role.ADMIN},
    EDIT: {PlanMembership.Role.STAFF, PlanMembership.Role.ADMIN},
    REVIEW: {PlanMembership.Role.LIAISON, PlanMembership.Role.ADMIN},
    ADMIN: {PlanMembership.Role.ADMIN},
}


def role_of(user, plan: Plan) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return PlanMembership.Role.ADMIN
    return PlanMembership.objects.filter(plan=plan, user=user).values_list("role", flat=True).first()


def may(user, plan: Plan, need: str = VIEW) -> bool:
    return role_of(user, plan) in _ROLES_FOR[need]


def plan_for_user(user, code: str, need: str = VIEW) -> Plan:
    """The plan with this code if the user may see it (else 404) and do `need` on it (else 403)."""
    plan = Plan.objects.visible_to(user).filter(code=code).first()
    if plan is None:
        raise Http404("No such plan.")
    if not may(user, plan, need):
        raise PermissionDenied
    return plan
