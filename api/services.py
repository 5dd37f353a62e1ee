"""Writes the API needs that the domain apps do not offer yet.

Kept to the shape of the apps' services (keyword-only, full_clean, history user,
recompute) so they can move to projects/services.py and figures/services.py as is.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from figures.models import StatedFigure
from plans.models import Plan, PlanYear
from plans.services import ensure_years_editable
from projects.models import Project
from projects.services import request_recompute

FIGURE_CORRECTABLE = {"value", "qualifier", "unit", "label", "source"}


def _history_user(obj, user) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user


@transaction.atomic
def project_delete(*, project: Project, user=None) -> None:
    """Delete a project with its budgets; refused (YearLocked) while one of its years is approved."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    ensure_years_editable(PlanYear.objects.filter(budgets__project=current).distinct())
    plan_id = current.plan_id
    for budget in current.budgets.all():  # the budgets' deletion is in the history under the same user
        _history_user(budget, user)
        budget.delete()
    _history_user(current, user)
    current.delete()
    request_recompute(plan_id)


def _check_year(plan: Plan, year: int | None) -> None:
    if year is not None and year not in plan.years:
        raise ValidationError({"year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
                               % {"year": year, "first": plan.first_year, "last": plan.last_year}})


@transaction.atomic
def stated_figure_create(*, plan: Plan, user, metric: str, value, source: str, year: int | None = None,
                         category=None, label: str = "", unit: str = "", qualifier: str = "") -> StatedFigure:
    """A figure staff add (origin "manual"): one per year, category and metric."""
    _check_year(plan, year)
    figure = StatedFigure(
        plan=plan, origin=StatedFigure.Origin.MANUAL, year=year, category=category, metric=metric, value=value,
        source=source, label=label, unit=unit, qualifier=qualifier, created_by=user,
    ).assign_slot()
    if StatedFigure.objects.filter(plan=plan, slot=figure.slot).exists():
        raise ValidationError({"metric": _("A figure entered by staff for this year, category and metric "
                                           "already exists: correct that one instead.")})
    figure.full_clean()
    _history_user(figure, user)
    figure.save()
    request_recompute(plan.pk)
    return figure


@transaction.atomic
def stated_figure_update(*, figure: StatedFigure, user, **changes) -> StatedFigure:
    """Correct a figure's value or wording; the history keeps what it said before."""
    unknown = set(changes) - FIGURE_CORRECTABLE
    if unknown:
        raise TypeError(f"stated_figure_update() got unknown fields: {', '.join(sorted(unknown))}")
    figure = StatedFigure.objects.select_for_update().get(pk=figure.pk)
    for field, value in changes.items():
        setattr(figure, field, value)
    figure.assign_slot().full_clean()
    _history_user(figure, user)
    figure.save()
    request_recompute(figure.plan_id)
    return figure
