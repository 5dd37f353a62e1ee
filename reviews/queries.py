"""Reads of the yearly review: a year's figures with the check code a confirmation carries, and every year of a
plan at once for the list. Aggregated in the database: the same few queries whatever the number of budgets.

The check code (`digest`) names the figures a reviewer confirmed: the year's totals per category and source,
its open disagreements, and the latest history record of its budgets and of its stated figures. Any change to
a budget or stated figure of the year, or a project moved to another category, gives another code; a step
confirmed with the old one is refused (reviews.services).
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Sum

from figures.models import StatedFigure
from funding.models import AnnualBudget
from plans.models import Category, PlanYear
from rollups.models import Variance

PLANNED = ("total_investment", "beijing_funds", "local_funds")
DISBURSED = ("actual_beijing_funds", "actual_local_funds")
AMOUNTS = PLANNED + DISBURSED


def _sums() -> dict:
    # Sum() over a WanYuanField is exact (whole yuan in the database) and comes back in 万元; None: no row has it.
    return {"projects": Count("id"), **{name: Sum(name) for name in AMOUNTS}}


def _zero_planned(row: dict) -> dict:
    return {**row, **{name: row.get(name) or Decimal("0.00") for name in PLANNED}}


@dataclass
class YearFigures:
    """What a year adds up to now: totals, per category, open disagreements, and its check code."""

    year: int
    projects: int
    total_investment: Decimal
    beijing_funds: Decimal
    local_funds: Decimal
    actual_beijing_funds: Decimal | None
    actual_local_funds: Decimal | None
    open_disagreements: int
    by_category: list[dict] = field(default_factory=list)  # {"category": Category, "projects": n, amounts…}
    digest: str = ""

    @property
    def disbursed_reported(self) -> bool:
        return self.actual_beijing_funds is not None or self.actual_local_funds is not None

    def snapshot(self) -> dict:
        """As a review event keeps it: amounts as exact decimal strings (None: not reported)."""
        return {
            "projects": self.projects,
            **{name: str(getattr(self, name)) for name in PLANNED},
            **{name: (str(getattr(self, name)) if getattr(self, name) is not None else None) for name in DISBURSED},
            "open_disagreements": self.open_disagreements,
            "digest": self.digest,
        }


def _digest(parts: dict) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def year_figures(plan_year: PlanYear, *, categories: list[Category] | None = None) -> YearFigures:
    """The year's figures as they are now: four queries (five without `categories`), whatever the data size."""
    rows = list(AnnualBudget.objects.filter(plan_year_id=plan_year.pk).values("project__category_id")
                .annotate(**_sums()).order_by())
    if categories is None:
        categories = list(Category.objects.filter(plan_id=plan_year.plan_id).order_by("order", "id"))
    disagreements = Variance.objects.filter(plan_id=plan_year.plan_id, year=plan_year.year,
                                            status=Variance.Status.DIFFERS).count()
    budgets_mark = AnnualBudget.history.filter(plan_year_id=plan_year.pk).aggregate(m=Max("history_id"))["m"]
    figures_mark = StatedFigure.history.filter(plan_id=plan_year.plan_id, year=plan_year.year
                                               ).aggregate(m=Max("history_id"))["m"]

    by_id = {row["project__category_id"]: _zero_planned(row) for row in rows}
    by_category = [{"category": category, **by_id[category.pk]} for category in categories if category.pk in by_id]
    totals = {"projects": sum(row["projects"] for row in rows)}
    for name in AMOUNTS:
        values = [row[name] for row in rows if row[name] is not None]
        totals[name] = sum(values, Decimal("0.00")) if values or name in PLANNED else None
    parts = {
        "year": plan_year.year, "totals": totals, "disagreements": disagreements,
        "categories": sorted([row["project__category_id"], row["projects"], *(row[name] for name in AMOUNTS)]
                             for row in by_id.values()),
        "budgets": budgets_mark, "figures": figures_mark,
    }
    return YearFigures(year=plan_year.year, open_disagreements=disagreements, by_category=by_category,
                       digest=_digest(parts), **totals)


def years_overview(plan) -> dict[int, dict]:
    """{year: {"projects": n, amounts…, "open_disagreements": n}} for every year of the plan: two queries."""
    rows = (AnnualBudget.objects.for_plan(plan).values("plan_year__year").annotate(**_sums()).order_by())
    overview = {year: _zero_planned({"projects": 0, "open_disagreements": 0}) for year in plan.years}
    for row in rows:
        overview.setdefault(row["plan_year__year"], {}).update(_zero_planned(row))
    counts = (Variance.objects.filter(plan=plan, status=Variance.Status.DIFFERS, year__isnull=False)
              .values("year").annotate(n=Count("id")).order_by())
    for row in counts:
        if row["year"] in overview:
            overview[row["year"]]["open_disagreements"] = row["n"]
    return overview


@dataclass
class PlanFigures:
    """What the whole plan adds up to now, year by year, with one check code over every year's (closing)."""

    years: list[YearFigures]
    digest: str

    @property
    def year(self) -> str:  # how a confirmation names the period, as it names a year
        return f"{self.years[0].year}–{self.years[-1].year}" if self.years else ""

    def _sum(self, name):
        return sum((getattr(y, name) for y in self.years), Decimal("0.00"))

    @property
    def projects(self) -> int:
        return sum(y.projects for y in self.years)

    @property
    def total_investment(self) -> Decimal:
        return self._sum("total_investment")

    @property
    def beijing_funds(self) -> Decimal:
        return self._sum("beijing_funds")

    @property
    def local_funds(self) -> Decimal:
        return self._sum("local_funds")

    @property
    def open_disagreements(self) -> int:
        return sum(y.open_disagreements for y in self.years)

    def snapshot(self) -> dict:
        return {"years": {str(y.year): y.snapshot() for y in self.years}, "digest": self.digest}


def plan_figures(plan) -> PlanFigures:
    """Every year's figures (year_figures) and a check code over them: a few queries per year of the plan."""
    categories = list(Category.objects.filter(plan_id=plan.pk).order_by("order", "id"))
    years = [year_figures(py, categories=categories) for py in PlanYear.objects.filter(plan_id=plan.pk).order_by("year")]
    return PlanFigures(years=years, digest=_digest({"years": [y.digest for y in years]}))
