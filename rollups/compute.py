"""Totals of a plan's yearly budgets, computed by the database (GROUP BY) over integer yuan.

One aggregate query per grouping; never a loop over budget rows in Python.
"""

from django.db.models import Count, Sum

from funding.models import AnnualBudget
from rollups.models import Rollup

AMOUNTS = ("total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds")

# kind → (the group-by columns besides the year, the Rollup field each fills)
_GROUPINGS = {
    Rollup.Kind.CATEGORY: ("project__category_id", "category_id"),
    Rollup.Kind.UNIT: ("project__unit_id", "unit_id"),
    Rollup.Kind.TOWNSHIP: ("project__township_id", "township_id"),
    Rollup.Kind.TOTAL: (None, None),
}


def _aggregates() -> dict:
    sums = {name: Sum(name) for name in AMOUNTS}
    return {"n": Count("id"), **sums}


def plan_rollups(plan, now) -> list[Rollup]:
    """Every Rollup of a plan: per year and for all years, per category, unit, township and in total."""
    budgets = AnnualBudget.objects.filter(plan_year__plan=plan).order_by()
    rollups = []
    for kind, (column, field) in _GROUPINGS.items():
        for by_year in (True, False):
            keys = [k for k in (("plan_year__year" if by_year else None), column) if k]
            rows = budgets.values(*keys).annotate(**_aggregates()) if keys else [budgets.aggregate(**_aggregates())]
            for row in rows:
                if not row["n"]:
                    continue
                rollup = Rollup(
                    plan=plan, kind=kind, year=row.get("plan_year__year"), projects=row["n"], computed_at=now,
                    **{name: row[name] or 0 for name in AMOUNTS},
                )
                if field:
                    setattr(rollup, field, row[column])
                rollups.append(rollup)
    return rollups
