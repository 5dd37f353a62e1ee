"""Every check of what the plan states against what it adds up to, as Variance rows.

For each stated figure: the value computed from the budget rows (or "not
computable" for targets the project data cannot count, such as jobs). Also: a
stated total against the stated figures under it, a five-year figure against
the sum of its years, a category named in the plan text with no rows in that
year's annex, and a 专栏 key project missing from its year's annex.
"""

from collections import defaultdict
from decimal import Decimal

from figures.matching import found_in, match_key
from figures.models import KeyProject, StatedFigure
from funding.models import AnnualBudget
from rollups.models import Rollup, Variance

ROLLUP_METRICS = ("projects", "total_investment", "beijing_funds", "local_funds")


def _compare(stated: Decimal, computed: Decimal | None, qualifier: str = "") -> tuple[str, Decimal | None]:
    if computed is None:
        return Variance.Status.NOT_COMPUTABLE, None
    difference = computed - stated
    agrees = computed >= stated if qualifier == "at_least" else difference == 0
    return (Variance.Status.AGREES if agrees else Variance.Status.DIFFERS), difference


class VarianceBuilder:
    def __init__(self, plan, rollups: list[Rollup], now):
        self.plan = plan
        self.now = now
        self.out: list[Variance] = []
        # (year or None, category id or None) → rollup
        self.totals = {(r.year, r.category_id): r for r in rollups if r.kind in (Rollup.Kind.CATEGORY,
                                                                                  Rollup.Kind.TOTAL)}
        self.figures = list(StatedFigure.objects.filter(plan=plan).select_related("category"))

    def _add(self, kind, status, *, figure=None, year=None, category_id=None, metric="", stated=None,
             computed=None, difference=None, source="", **details):
        self.out.append(Variance(
            plan=self.plan, kind=kind, status=status, figure=figure, year=year, category_id=category_id,
            metric=metric, stated=stated, computed=computed, difference=difference, source=source,
            details=details, computed_at=self.now,
        ))

    def computed_value(self, year, category_id, metric) -> Decimal | None:
        if metric not in ROLLUP_METRICS:
            return None
        rollup = self.totals.get((year, category_id))
        if rollup is None:
            return Decimal(0)  # no rows at all: the plan states something the annex does not have
        return Decimal(getattr(rollup, metric))

    def build(self) -> list[Variance]:
        self.check_figures()
        self.check_parts()
        self.check_years()
        self.check_empty_categories()
        self.check_key_projects()
        return self.out

    def check_figures(self):
        for figure in self.figures:
            computed = self.computed_value(figure.year, figure.category_id, figure.metric)
            status, difference = _compare(figure.value, computed, figure.qualifier)
            self._add(Variance.Kind.FIGURE, status, figure=figure, year=figure.year, category_id=figure.category_id,
                      metric=figure.metric, stated=figure.value, computed=computed, difference=difference,
                      source=figure.source, origin=figure.origin, label=figure.label, unit=figure.unit)

    def check_parts(self):
        """A stated total (合计 row, a year's narrative total) against the stated figures under it."""
        parts = defaultdict(list)
        wholes = {}
        for figure in self.figures:
            if figure.origin == StatedFigure.Origin.MANUAL or figure.year is None:
                continue
            slot = (figure.origin, figure.year, figure.metric)
            if figure.category_id is None:
                wholes[slot] = figure
            else:
                parts[slot].append(figure)
        for slot, whole in sorted(wholes.items(), key=lambda item: (item[0][1], item[0][0], item[0][2])):
            under = parts.get(slot)
            if not under:
                continue
            total = sum((p.value for p in under), Decimal(0))
            status, difference = _compare(whole.value, total)
            self._add(Variance.Kind.PARTS, status, figure=whole, year=whole.year, metric=whole.metric,
                      stated=whole.value, computed=total, difference=difference, source=whole.source,
                      origin=whole.origin, label=whole.label, unit=whole.unit, parts=len(under))

    def check_years(self):
        """A five-year figure against the sum of the same figure stated for each year."""
        yearly = defaultdict(list)
        for figure in self.figures:
            if figure.origin == StatedFigure.Origin.NARRATIVE and figure.category_id is None and figure.year:
                yearly[figure.metric].append(figure)
        for figure in self.figures:
            if figure.origin != StatedFigure.Origin.NARRATIVE or figure.year or figure.category_id:
                continue
            years = yearly.get(figure.metric)
            if not years:
                continue
            total = sum((f.value for f in years), Decimal(0))
            status, difference = _compare(figure.value, total)
            self._add(Variance.Kind.YEARS, status, figure=figure, metric=figure.metric, stated=figure.value,
                      computed=total, difference=difference, source=figure.source, unit=figure.unit,
                      years=sorted(f.year for f in years))

    def check_empty_categories(self):
        """A category the plan text gives figures for in a year where the annex has no rows of it."""
        seen = set()
        for figure in self.figures:
            if figure.origin != StatedFigure.Origin.NARRATIVE or not figure.year:
                continue
            if figure.category_id is None and not figure.label:
                continue
            slot = (figure.year, figure.category_id, figure.label if figure.category_id is None else "")
            if slot in seen:
                continue
            seen.add(slot)
            rows = self.totals.get((figure.year, figure.category_id)) if figure.category_id else None
            count = rows.projects if rows else 0
            status = Variance.Status.AGREES if count else Variance.Status.DIFFERS
            self._add(Variance.Kind.CATEGORY_EMPTY, status, figure=figure, year=figure.year,
                      category_id=figure.category_id, metric="projects", computed=Decimal(count),
                      source=figure.source, label=figure.label, known=figure.category_id is not None)

    def check_key_projects(self):
        names = defaultdict(set)
        for year, name in AnnualBudget.objects.filter(plan_year__plan=self.plan).order_by().values_list(
                "plan_year__year", "project__name").distinct():
            names[year].add(match_key(name))
        for key in KeyProject.objects.filter(plan=self.plan).order_by("column", "id"):
            years = list(range(key.first_year, key.last_year + 1))
            missing = [year for year in years if not found_in(key.name, names.get(year, set()))]
            status = Variance.Status.DIFFERS if missing else Variance.Status.AGREES
            self._add(Variance.Kind.KEY_PROJECT, status, year=key.first_year if len(years) == 1 else None,
                      category_id=key.category_id, metric="key_project", source=key.source,
                      name=key.name, column=key.column, title=key.title, missing_years=missing, years=years)
