"""Answers funding.list_figures from the stored totals: budgets counted and summed per plan, year and group."""

from django.db.models import F, Q, Sum

from funding.list_figures import ListAnswer, ListQuestion
from plans.models import Plan
from rollups.compute import AMOUNTS
from rollups.models import Rollup

_KIND = {None: (Rollup.Kind.TOTAL, None), "category": (Rollup.Kind.CATEGORY, "category_id"),
         "unit": (Rollup.Kind.UNIT, "unit_id"), "township": (Rollup.Kind.TOWNSHIP, "township_id")}


def budget_list_figures(question: ListQuestion) -> ListAnswer:
    """Two queries whatever the number of budgets: the plans whose totals are not current, then the sums."""
    plans = Plan.objects.all() if question.plan_ids is None else Plan.objects.filter(pk__in=question.plan_ids)
    # Current: computed, and no change since (rollups.services.pending_states is the opposite, for plans with a state).
    current = Q(recompute_state__computed_at__isnull=False) & (
        Q(recompute_state__requested_at__isnull=True)
        | Q(recompute_state__requested_at__lte=F("recompute_state__computed_at")))
    stale = tuple(plans.exclude(current).values_list("pk", flat=True))
    kind, column = _KIND[question.group[0] if question.group else None]
    rows = Rollup.objects.filter(kind=kind).exclude(plan_id__in=stale)
    rows = rows.filter(year=question.year) if question.year is not None else rows.filter(year__isnull=True)
    if column:
        rows = rows.filter(**{column: question.group[1]})
    if question.plan_ids is not None:
        rows = rows.filter(plan_id__in=question.plan_ids)
    figures = rows.aggregate(budgets=Sum("projects"), **{name: Sum(name) for name in AMOUNTS})
    return ListAnswer(figures=figures, stale_plan_ids=stale)
