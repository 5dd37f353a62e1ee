"""Who may see or change what: the one place every door asks (pages, API, admin, services, commands).

A plan is visible to its members (and superusers). Within it, what a user may
do follows their role on that plan, and only that: everyone reads; county
staff and plan admins edit records; liaison officers and plan admins review
years; plan admins import and manage members. A plan the user may not see is
"not found", so its existence and ids leak nothing. No global group or Django
permission grants anything of a plan.

A closed plan (every year approved, then closed: reviews.closing) is read-only
for everyone: `may(…, EDIT)` is false and `require(…, EDIT)` refuses with
PlanClosed, and the administrators' own writes of the plan's data (its years,
categories, imports) ask `require_open`. Only reopening a year (a plan
administrator, with a reason) lifts it; members can still be managed.

Management commands and the seeding of the bundled plan act as SYSTEM: the
operator at the shell, who may do everything and is named by no user in the
history.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.models import Plan, PlanMembership

VIEW, EDIT, REVIEW, ADMIN = "view", "edit", "review", "admin"
Role = PlanMembership.Role
_ROLES_FOR = {
    VIEW: {Role.STAFF, Role.LIAISON, Role.ADMIN},
    EDIT: {Role.STAFF, Role.ADMIN},
    REVIEW: {Role.LIAISON, Role.ADMIN},
    ADMIN: {Role.ADMIN},
}


class SystemActor:
    """The operator at the shell (management commands, seeding): every right, no user in the history."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    pk = None

    def get_username(self) -> str:
        return "system"

    def get_full_name(self) -> str:
        return ""

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def _plan_id(plan) -> int | None:
    return getattr(plan, "pk", plan)


def role_of(user, plan) -> str | None:
    """The user's role on the plan (a Plan or its id), read afresh: a change takes effect at once."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return PlanMembership.objects.filter(plan_id=_plan_id(plan), user=user).values_list("role", flat=True).first()


def allows(role: str | None, need: str) -> bool:
    return role in _ROLES_FOR[need]


class PlanClosed(PermissionDenied):
    """A change to a closed plan: nothing of it changes until a year is reopened."""


def closed_at(plan):
    """When the plan (a Plan, read as given, or its id, read afresh) was closed; None while it is open."""
    if isinstance(plan, Plan):
        return plan.closed_at
    return Plan.objects.filter(pk=plan).values_list("closed_at", flat=True).first()


def require_open(plan) -> None:
    """Refuse (PlanClosed) any change to the records of a closed plan, whoever asks."""
    when = closed_at(plan)
    if when is not None:
        raise PlanClosed(_("This plan was closed on %(date)s: nothing of it changes any more. A plan "
                           "administrator may reopen one of its years, giving a reason.")
                         % {"date": date_format(timezone.localtime(when), "DATE_FORMAT")})


def may(user, plan, need: str = VIEW) -> bool:
    if not allows(role_of(user, plan), need):
        return False
    return need != EDIT or closed_at(plan) is None


def refusal(need: str) -> str:
    return {
        VIEW: _("You are not a member of this plan."),
        EDIT: _("Your role on this plan may read it but not change it."),
        REVIEW: _("Only the plan's liaison officers and administrators review its years."),
        ADMIN: _("Only the plan's administrators may do this."),
    }[need]


def require(user, plan, need: str) -> None:
    """Refuse (PermissionDenied, with a message saying why) unless the user may `need` on the plan.

    Editing a closed plan is refused with PlanClosed, whatever the role."""
    if not allows(role_of(user, plan), need):
        raise PermissionDenied(refusal(need))
    if need == EDIT:
        require_open(plan)


def require_superuser(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active or not user.is_superuser:
        raise PermissionDenied(_("Only a superuser may do this."))


def roles_by_plan(user) -> dict[int, str]:
    """{plan id: role} of every plan the user belongs to, in one query (for lists and the admin)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    return dict(PlanMembership.objects.filter(user=user).values_list("plan_id", "role"))


def plans_where(user, need: str = VIEW) -> QuerySet:
    """The plans on which the user may `need`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Plan.objects.none()
    if user.is_superuser:
        return Plan.objects.all()
    return Plan.objects.filter(memberships__user=user, memberships__role__in=_ROLES_FOR[need]).distinct()


def plan_for_user(user, code: str, need: str = VIEW) -> Plan:
    """The plan with this code if the user may see it (else 404) and do `need` on it (else 403)."""
    plan = Plan.objects.visible_to(user).filter(code=code).first()
    if plan is None:
        raise Http404(gettext_lazy("No such plan."))
    require(user, plan, need)
    return plan


def history_user(user):
    """The user a history entry names: nobody for SYSTEM or an anonymous caller."""
    if user is None or user is SYSTEM or not getattr(user, "is_authenticated", False):
        return None
    return user
