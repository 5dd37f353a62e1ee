"""The yearly review: submit → approve (locks the year) or return with a reason; reopen with a reason.
Once every year is approved a plan administrator may close the plan (plan_close): nothing of it changes
any more (plans.access) until a plan administrator reopens one of its years, which opens the plan again.

    open ──submit──▶ submitted ──approve──▶ approved ──reopen──▶ open
    returned ──submit──▶ submitted ──return──▶ returned

Staff (and plan admins) submit; liaison officers (and plan admins) approve, return and reopen.
Each step runs in one transaction with the year's row locked, so two reviewers
clicking at once cannot both act on the same state; each is kept as a ReviewEvent.

A step may carry `confirmed`: the check code of the figures the user confirmed
(reviews.queries.year_figures; the pages always send it, the confirmation page shows
the figures it stands for). When the year's figures have changed since, the step is
refused with StaleFigures, which says what they are now. Without it (the command
without --confirm, internal callers) the step takes the figures as they are, and the
event keeps them either way.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planportal.lib.money import format_wan
from plans.access import ADMIN, EDIT, REVIEW, allows, history_user, may, role_of
from plans.models import Plan, PlanYear
from reviews.models import PlanEvent, ReviewEvent
from reviews.notifications import notify_review_event
from reviews.queries import YearFigures, plan_figures, year_figures

Review = PlanYear.Review
Action = ReviewEvent.Action

# action → (permission needed, states it may start from, state it leads to)
TRANSITIONS = {
    Action.SUBMIT: (EDIT, (Review.OPEN, Review.RETURNED), Review.SUBMITTED),
    Action.APPROVE: (REVIEW, (Review.SUBMITTED,), Review.APPROVED),
    Action.RETURN: (REVIEW, (Review.SUBMITTED,), Review.RETURNED),
    Action.REOPEN: (REVIEW, (Review.APPROVED,), Review.OPEN),
}
REASON_REQUIRED = {Action.RETURN, Action.REOPEN}


def review_permissions(user, plan) -> set[str]:
    """Which of EDIT and REVIEW the user has on the plan (two cheap queries, once per page)."""
    return {need for need in (EDIT, REVIEW) if may(user, plan, need)}


def allowed_actions(*, plan_year: PlanYear, permissions: set[str]) -> list[str]:
    """The actions these permissions allow on the year in its current state (for buttons; services re-check)."""
    return [action for action, (need, sources, _target) in TRANSITIONS.items()
            if plan_year.review_status in sources and need in permissions]


class StaleFigures(ValidationError):
    """The figures the user confirmed are no longer the year's: they must look again."""


def year_snapshot(plan_year: PlanYear) -> dict:
    """The year's totals as they are now, computed from its budgets; amounts as exact decimal strings."""
    return year_figures(plan_year).snapshot()


def figures_text(snapshot: dict) -> str:
    """项目 32 个，项目总投资 1,234.00 万元，… of a snapshot (YearFigures.snapshot(), ReviewEvent.snapshot)."""
    def amount(name):
        return format_wan(Decimal(snapshot.get(name) or "0"))

    return _("%(projects)s projects, total investment %(total)s 万元, cooperation funds %(beijing)s 万元, "
             "local funds %(local)s 万元") % {
        "projects": snapshot.get("projects", 0), "total": amount("total_investment"),
        "beijing": amount("beijing_funds"), "local": amount("local_funds")}


def _stale(plan_year: PlanYear, figures: YearFigures) -> StaleFigures:
    return StaleFigures(
        _("The figures of %(year)s have changed since you opened the confirmation; they are now: %(figures)s. "
          "Look at them again and confirm anew.") % {"year": plan_year.year, "figures": figures_text(figures.snapshot())},
        code="stale_figures")


def step_check(*, action: str, plan_year: PlanYear, user) -> None:
    """Refuse (PermissionDenied, ValidationError) the step the user is about to confirm, as the step itself would."""
    need, sources, _target = TRANSITIONS[action]
    if not may(user, plan_year.plan_id, need):
        raise PermissionDenied(_("Your role on this plan does not allow this review step."))
    if action == Action.REOPEN and plan_year.plan.closed and not allows(role_of(user, plan_year.plan_id), ADMIN):
        raise PermissionDenied(_("This plan is closed: only its administrators may reopen one of its years."))
    if plan_year.review_status not in sources:
        raise _wrong_state(action, plan_year)


def display_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _wrong_state(action: str, plan_year: PlanYear) -> ValidationError:
    messages = {
        Action.SUBMIT: _("Only a year that is open or returned for revision can be submitted; "
                         "%(year)s is “%(status)s”."),
        Action.APPROVE: _("Only a submitted year can be approved; %(year)s is “%(status)s”."),
        Action.RETURN: _("Only a submitted year can be returned for revision; %(year)s is “%(status)s”."),
        Action.REOPEN: _("Only an approved year can be reopened; %(year)s is “%(status)s”."),
    }
    return ValidationError(messages[action] % {"year": plan_year.year, "status": plan_year.get_review_status_display()},
                           code="wrong_state")


def _transition(*, action: str, plan_year: PlanYear, user, reason: str, confirmed: str | None) -> ReviewEvent:
    _need, _sources, target = TRANSITIONS[action]
    reason = (reason or "").strip()
    with transaction.atomic():
        # The plan's row first, as plan_close takes it: a closing and a reopening never cross.
        plan = Plan.objects.select_for_update().get(pk=plan_year.plan_id)
        locked = PlanYear.objects.select_for_update().get(pk=plan_year.pk)
        locked.plan = plan
        step_check(action=action, plan_year=locked, user=user)
        if action in REASON_REQUIRED and not reason:
            raise ValidationError(
                _("Give a reason for returning the year.") if action == Action.RETURN
                else _("Give a reason for reopening the year."),
                code="reason_required")
        figures = year_figures(locked)
        if confirmed is not None and confirmed != figures.digest:
            raise _stale(locked, figures)
        now = timezone.now()
        event = ReviewEvent(
            plan_year=locked, action=action, from_status=locked.review_status, to_status=target,
            reason=reason, user=history_user(user), user_name=display_name(user), at=now, snapshot=figures.snapshot(),
        )
        event.full_clean()
        event.save()
        locked.review_status, locked.review_changed_at, locked.review_changed_by = target, now, history_user(user)
        locked.save(update_fields=["review_status", "review_changed_at", "review_changed_by"])
        if action == Action.REOPEN and plan.closed:
            _open_again(plan, year=locked.year, user=user, reason=reason, at=now)

        notify_review_event(event)
    # The caller's instance shows the new state too.
    plan_year.review_status, plan_year.review_changed_at = target, now
    plan_year.review_changed_by = history_user(user)
    return event


def year_submit(*, plan_year: PlanYear, user, note: str = "", confirmed: str | None = None) -> ReviewEvent:
    """Staff hand the year's figures to the liaison officers (from open or returned)."""
    return _transition(action=Action.SUBMIT, plan_year=plan_year, user=user, reason=note, confirmed=confirmed)


def year_approve(*, plan_year: PlanYear, user, note: str = "", confirmed: str | None = None) -> ReviewEvent:
    """A liaison officer signs the submitted year off; its budgets are locked from now on."""
    return _transition(action=Action.APPROVE, plan_year=plan_year, user=user, reason=note, confirmed=confirmed)


def year_return(*, plan_year: PlanYear, user, reason: str, confirmed: str | None = None) -> ReviewEvent:
    """A liaison officer sends the submitted year back to staff, saying what to fix."""
    return _transition(action=Action.RETURN, plan_year=plan_year, user=user, reason=reason, confirmed=confirmed)


def year_reopen(*, plan_year: PlanYear, user, reason: str, confirmed: str | None = None) -> ReviewEvent:
    """A liaison officer unlocks an approved year so it can be corrected, saying why."""
    return _transition(action=Action.REOPEN, plan_year=plan_year, user=user, reason=reason, confirmed=confirmed)


STEPS = {Action.SUBMIT: year_submit, Action.APPROVE: year_approve, Action.RETURN: year_return,
         Action.REOPEN: year_reopen}


def year_step(*, action: str, plan_year: PlanYear, user, text: str = "", confirmed: str | None = None) -> ReviewEvent:
    """One of the four steps by its name, `text` being its note or reason (for the pages and the command)."""
    if action in REASON_REQUIRED:
        return STEPS[action](plan_year=plan_year, user=user, reason=text, confirmed=confirmed)
    return STEPS[action](plan_year=plan_year, user=user, note=text, confirmed=confirmed)



def close_check(*, plan: Plan, user) -> None:
    """Refuse (PermissionDenied, ValidationError) closing the plan, as plan_close would."""
    if not allows(role_of(user, plan.pk), ADMIN):
        raise PermissionDenied(_("Only the plan's administrators may close it."))
    if plan.closed:
        raise ValidationError(_("This plan is closed already."), code="closed")
    waiting = list(PlanYear.objects.filter(plan_id=plan.pk).exclude(review_status=Review.APPROVED)
                   .order_by("year").values_list("year", flat=True))
    if waiting:
        raise ValidationError(
            _("Every year must be approved before the plan is closed; not yet: %(years)s.")
            % {"years": "、".join(str(year) for year in waiting)}, code="years_not_approved")


def plan_close(*, plan: Plan, user, note: str = "", confirmed: str | None = None) -> PlanEvent:
    """A plan administrator closes a plan whose every year is approved: from now on nothing of it changes.

    `confirmed` is the check code of the plan's figures (reviews.queries.plan_figures) the user saw."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        close_check(plan=locked, user=user)
        figures = plan_figures(locked)
        if confirmed is not None and confirmed != figures.digest:
            raise StaleFigures(_("The plan's figures have changed since you opened the confirmation: look at "
                                 "them again and confirm anew."), code="stale_figures")
        now = timezone.now()
        event = PlanEvent.objects.create(plan=locked, action=PlanEvent.Action.CLOSE, reason=(note or "").strip(),
                                         user=history_user(user), user_name=display_name(user), at=now,
                                         snapshot=figures.snapshot())
        locked.closed_at, locked.closed_by = now, history_user(user)
        locked.save(update_fields=["closed_at", "closed_by"])
    plan.closed_at, plan.closed_by = locked.closed_at, locked.closed_by
    return event


def _open_again(plan: Plan, *, year: int, user, reason: str, at) -> PlanEvent:
    """The reopening of a year opens its closed plan again (inside that step's transaction)."""
    event = PlanEvent.objects.create(plan=plan, action=PlanEvent.Action.REOPEN, year=year, reason=reason,
                                     user=history_user(user), user_name=display_name(user), at=at,
                                     snapshot=plan_figures(plan).snapshot())
    plan.closed_at, plan.closed_by = None, None
    plan.save(update_fields=["closed_at", "closed_by"])
    return event
