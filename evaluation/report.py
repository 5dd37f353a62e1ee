"""The final evaluation of a plan (终期评估): one dict that the page, `--json` and the exports render from.

What it reads, all of it stored by the recompute or kept in the plan's own records:

* planned and disbursed totals — rollups.Rollup, for the whole plan, each year, each category and each
  year's categories (never a live SUM over budgets);
* every stated figure (figures.StatedFigure) with its origin (annex / narrative text / entered by staff),
  its source and its comparison with the project rows (rollups.Variance of kind "figure");
* projects by status (projects.Project.Status; after the plan, "planned" means never started), counted by
  the database: distinct projects, for a year those with a row in that year's annex; and how many yearly
  rows have a disbursement reported. "projects" itself counts annex rows (a project's row per year), as
  the plan's own figures do (148 rows of 96 projects in the bundled plan);
* indicators (evaluation.parts), key projects of the 专栏 boxes and the disagreements still open.

A constant number of queries whatever the size of the plan (tests/evaluation/test_page.py).

Figures in the dict: amounts are decimal strings in 万元 exactly as stored — two decimals ("56832.60"),
four when an amount has odd yuan ("12.3456"), never floats; counts are ints; other figures are plain
decimal strings without padding zeros ("151", "0.85"). Planned and disbursed figures are derived from
the project rows (``"source": "derived"``); a stated figure carries its own origin and source.
"""

from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from evaluation.numbers import amount_text, figure_text, percent_text
from evaluation.parts import disagreement_rows, indicator_rows, key_project_rows
from figures.models import StatedFigure
from funding.models import AnnualBudget
from plans.models import Category
from projects.models import Project
from rollups.models import Rollup, Variance
from rollups.queries import state_of
from rollups.sentences import METRIC_NAMES

PLANNED = ("total_investment", "beijing_funds", "local_funds")
DISBURSED = ("beijing_funds", "local_funds")
STATUSES = {  # the evaluation's words for Project.Status, in the order reports list them
    "completed": Project.Status.COMPLETED,
    "in_progress": Project.Status.IN_PROGRESS,
    "cancelled": Project.Status.CANCELLED,
    "never_started": Project.Status.PLANNED,
}
_METRIC_ORDER = {"projects": 0, "total_investment": 1, "beijing_funds": 2, "local_funds": 3}
_UNREAD = object()
_ORIGIN_ORDER = {StatedFigure.Origin.ANNEX: 0, StatedFigure.Origin.NARRATIVE: 1, StatedFigure.Origin.MANUAL: 2}


class _Counts:
    """Projects by status and reported rows, per (year, category id); None stands for "all"."""

    def __init__(self, plan):
        self.projects = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
        self.reported = defaultdict(int)
        word = {status: key for key, status in STATUSES.items()}
        for row in Project.objects.for_plan(plan).values("category_id", "status").annotate(n=Count("id")).order_by():
            for slot in ((None, row["category_id"]), (None, None)):
                self.projects[slot][word[row["status"]]] += row["n"]
        reported = Q(actual_beijing_funds__isnull=False) | Q(actual_local_funds__isnull=False)
        rows = (AnnualBudget.objects.for_plan(plan)
                .values("plan_year__year", "project__category_id", "project__status")
                .annotate(n=Count("project_id", distinct=True), reported=Count("id", filter=reported)).order_by())
        for row in rows:
            year, category = row["plan_year__year"], row["project__category_id"]
            for slot in ((year, category), (year, None)):
                self.projects[slot][word[row["project__status"]]] += row["n"]
            for slot in ((year, category), (year, None), (None, category), (None, None)):
                self.reported[slot] += row["reported"]


class _Context:
    """Everything read once, from which each scope (plan, year, category, year × category) is built."""

    def __init__(self, plan, *, lang: str, goal_names: dict, variances: list[Variance]):
        self.en = lang.startswith("en")
        self.goal_names = goal_names
        self.rollups = {
            (r.year, r.category_id if r.kind == Rollup.Kind.CATEGORY else None): r
            for r in Rollup.objects.filter(plan=plan, kind__in=[Rollup.Kind.CATEGORY, Rollup.Kind.TOTAL])
        }
        self.counts = _Counts(plan)
        # Each stated figure's comparison with the rows, from the last recompute (none yet for a new figure).
        self.checks = {v.figure_id: v for v in variances if v.kind == Variance.Kind.FIGURE and v.figure_id}
        self.figures = defaultdict(list)
        for figure in StatedFigure.objects.for_plan(plan):
            self.figures[(figure.year, figure.category_id)].append(figure)

    def metric_name(self, figure) -> str:
        names = METRIC_NAMES.get(figure.metric)
        if names:
            return names[1 if self.en else 0]
        return self.goal_names.get(figure.metric) or figure.label or figure.metric

    def stated(self, figure) -> dict:
        money = figure.metric in StatedFigure.MONEY_METRICS or figure.unit == "万元"
        check = self.checks.get(figure.pk)
        return {
            "metric": figure.metric,
            "name": self.metric_name(figure),
            "origin": figure.origin,
            "label": figure.label,
            "value": figure_text(figure.value, money=money),
            "unit": figure.unit or ("万元" if money else ""),
            "qualifier": figure.qualifier,
            "computed": figure_text(check.computed, money=money) if check else None,
            "difference": figure_text(check.difference, money=money) if check else None,
            "status": check.status if check else None,
            "source": figure.source,
        }

    def scope(self, year, category_id) -> dict:
        rollup = self.rollups.get((year, category_id))
        reported = self.counts.reported[(year, category_id)]
        planned = {m: amount_text(getattr(rollup, m)) if rollup else "0.00" for m in PLANNED}
        disbursed = {m: amount_text(getattr(rollup, f"actual_{m}")) if rollup else "0.00" for m in DISBURSED}
        figures = sorted(self.figures.get((year, category_id), ()),
                         key=lambda f: (_METRIC_ORDER.get(f.metric, 9), f.metric, _ORIGIN_ORDER.get(f.origin, 9)))
        return {
            "projects": rollup.projects if rollup else 0,
            "planned": planned,
            "disbursed": disbursed,
            # None when nothing was planned, or no row has a disbursement reported yet (not the same as 0%).
            "disbursed_percent": {m: percent_text(disbursed[m], planned[m]) if reported else None for m in DISBURSED},
            "source": "derived",
            "status": dict(self.counts.projects[(year, category_id)]),
            "reported_rows": reported,
            "stated": [self.stated(figure) for figure in figures],
        }


def evaluation_report(plan, *, lang: str = "zh", state=_UNREAD) -> dict:
    """The whole final evaluation of the plan as plain data (see the module text for its figures).

    `lang` is the language of the disagreements' sentences and the figures' names; `state`, the plan's
    RecomputeState (or None) if the caller has read it already.
    """
    categories = list(Category.objects.filter(plan=plan).order_by("order", "id"))
    indicators, goal_names = indicator_rows(plan)
    variances = list(Variance.objects.filter(plan=plan).select_related("category").order_by("id"))
    context = _Context(plan, lang=lang, goal_names=goal_names, variances=variances)
    state = state_of(plan) if state is _UNREAD else state

    def named(category, year=None) -> dict:
        return {"category": category.name_zh, "category_en": category.name_en, **context.scope(year, category.pk)}

    open_rows = disagreement_rows(variances, lang)
    return {
        "plan": plan.code,
        "name": plan.name,
        "county": plan.county,
        "partner": plan.partner,
        "first_year": plan.first_year,
        "last_year": plan.last_year,
        "period": plan.period(),
        "unit": "万元",
        "computed_at": timezone.localtime(state.computed_at).isoformat() if state and state.computed_at else None,
        "recompute_pending": bool(state and state.pending),
        "totals": context.scope(None, None),
        "years": [{"year": year, **context.scope(year, None),
                   "categories": [named(category, year) for category in categories]} for year in plan.years],
        "categories": [named(category) for category in categories],
        "indicators": indicators,
        "key_projects": key_project_rows(variances),
        "disagreements_open": len(open_rows),
        "disagreements": open_rows,
    }
