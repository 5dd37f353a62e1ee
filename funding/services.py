"""Writes to annual budgets."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.models import AnnualBudget
from planportal.concurrency import check_version
from plans.models import PlanYear
from plans.services import ensure_years_editable
from projects.models import Project
from projects.services import attribute_to, request_recompute

_BUDGET_FIELDS = {
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
    except PlanYear.DoesNotExist:
        plan = project.plan
        raise ValidationError(
            {"plan_year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
             % {"year": year, "first": plan.first_year, "last": plan.last_year}}
        ) from None


@transaction.atomic
def budget_create(
    *,
    project: Project,
    year: int,
    user=None,
    total_investment: Decimal = Decimal(0),
    beijing_funds: Decimal = Decimal(0),
    local_funds: Decimal = Decimal(0),
    **details,
) -> AnnualBudget:
    unknown = set(details) - _BUDGET_FIELDS
    if unknown:
        raise TypeError(f"budget_create() got unknown fields: {', '.join(sorted(unknown))}")
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
    budget.full_clean()
    attribute_to(budget, user)
    budget.save()
    request_recompute(project.plan_id)
    return budget


@transaction.atomic
def budget_update(*, budget: AnnualBudget, user=None, expected_version: int | None = None,
                  **changes) -> AnnualBudget:
    """Change a budget. With `expected_version` (the version the editor started from), a save over
    someone else's newer save is refused with StaleEdit instead of silently overwriting it."""
    unknown = set(changes) - _BUDGET_FIELDS - {"year"}
    if unknown:
        raise TypeError(f"budget_update() got unknown fields: {', '.join(sorted(unknown))}")
    current = AnnualBudget.objects.select_for_update().select_related("plan_year").get(pk=budget.pk)
    check_version(current, expected_version)
    budget.version = current.version
    years = [current.plan_year]
    if "year" in changes:
        budget.plan_year = plan_year_of(project=budget.project, year=changes.pop("year"))
        years.append(budget.plan_year)
    ensure_years_editable(years)
    for field, value in changes.items():
        setattr(budget, field, value)
    budget.full_clean()
    budget.version += 1
    attribute_to(budget, user)
    budget.save()
    request_recompute(budget.project.plan_id)
    return budget


@transaction.atomic
def budget_delete(*, budget: AnnualBudget, user=None) -> None:
    current = AnnualBudget.objects.select_for_update().select_related("plan_year").get(pk=budget.pk)
    ensure_years_editable([current.plan_year])
    plan_id = budget.project.plan_id
    attribute_to(budget, user)
    budget.delete()
    request_recompute(plan_id)

