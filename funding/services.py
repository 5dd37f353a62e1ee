"""Writes to annual budgets: the acting user's role, the year lock, the version, validation,
history and the recompute request are all checked here, whichever door the change comes through."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from funding.models import AnnualBudget
from planportal.fields import known_fields
from planportal.concurrency import next_version
from planportal.history import attribute_to
from plans.access import EDIT, require
from plans.hooks import totals_changed
from plans.locks import ensure_years_editable
from plans.models import PlanYear
from projects.models import Project

BUDGET_FIELDS = {
    "serial_no",
    "nature",
    "scale_and_content",
    "beijing_funds_use",
    "total_investment",
    "beijing_funds",
    "local_funds",
    "actual_beijing_funds",
    "actual_local_funds",
}


def plan_year_of(*, project: Project, year: int) -> PlanYear:
    try:
        return PlanYear.objects.get(plan_id=project.plan_id, year=year)
    except (PlanYear.DoesNotExist, ValueError, TypeError):
        plan = project.plan
        raise ValidationError(
            {"plan_year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
             % {"year": year, "first": plan.first_year, "last": plan.last_year}}
        ) from None


def _budget_saved(budget: AnnualBudget) -> AnnualBudget:
    budget.full_clean()
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:
        raise ValidationError({"plan_year": _("This project already has a budget for %(year)s.")
                               % {"year": budget.plan_year.year}}) from None
    totals_changed(budget.plan_year.plan_id)
    return budget


@transaction.atomic
def budget_create(
    *,
    project: Project,
    year: int,
    user,
    total_investment: Decimal = Decimal(0),
    beijing_funds: Decimal = Decimal(0),
    local_funds: Decimal = Decimal(0),
    **details,
) -> AnnualBudget:
    known_fields(details, BUDGET_FIELDS, "budget_create")
    require(user, project.plan_id, EDIT)
    plan_year = plan_year_of(project=project, year=year)
    ensure_years_editable([plan_year])
    budget = AnnualBudget(
        project=project,
        plan_year=plan_year,
        total_investment=total_investment,
        beijing_funds=beijing_funds,
        local_funds=local_funds,
        **details,
    )
    attribute_to(budget, user)
    return _budget_saved(budget)


@transaction.atomic
def budget_update(*, budget: AnnualBudget, user, expected_version: int | None = None,
                  **changes) -> AnnualBudget:
    """Change a budget. With `expected_version` (the version the editor started from), a save over
    someone else's newer save is refused with StaleEdit instead of silently overwriting it."""
    known_fields(changes, BUDGET_FIELDS | {"year"}, "budget_update")
    current = AnnualBudget.objects.select_for_update().select_related("plan_year", "project").get(pk=budget.pk)
    require(user, current.project.plan_id, EDIT)
    budget.version = next_version(current, expected_version)
    budget.project = current.project
    years = [current.plan_year]
    if "year" in changes:
        budget.plan_year = plan_year_of(project=current.project, year=changes.pop("year"))
        years.append(budget.plan_year)
    ensure_years_editable(years)
    for field, value in changes.items():
        setattr(budget, field, value)
    attribute_to(budget, user)
    return _budget_saved(budget)


@transaction.atomic
def budget_delete(*, budget: AnnualBudget, user) -> None:
    current = AnnualBudget.objects.select_for_update().select_related("plan_year", "project").get(pk=budget.pk)
    require(user, current.project.plan_id, EDIT)
    ensure_years_editable([current.plan_year])
    attribute_to(current, user)
    current.delete()
    totals_changed(current.plan_year.plan_id)
