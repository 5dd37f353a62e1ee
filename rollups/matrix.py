"""The year × category matrix of a plan: computed totals beside every figure the plan states for each cell."""

from decimal import Decimal

from django.utils.translation import pgettext

from figures.models import StatedFigure
from plans.models import Category
from rollups.models import Rollup
from rollups.queries import METRICS


def plan_matrix(plan) -> dict:
    """{"columns": [years…, None], "metrics": {metric: [row…]}}; a constant number of queries."""
    categories = list(Category.objects.filter(plan=plan).order_by("order", "id"))
    columns = [*plan.years, None]
    rollups = {
        (r.year, r.category_id if r.kind == Rollup.Kind.CATEGORY else None): r
        for r in Rollup.objects.filter(plan=plan, kind__in=[Rollup.Kind.CATEGORY, Rollup.Kind.TOTAL])
    }
    stated: dict[tuple, dict] = {}
    for figure in StatedFigure.objects.filter(plan=plan, metric__in=METRICS):
        stated.setdefault((figure.year, figure.category_id, figure.metric), {})[figure.origin] = figure
    rows_spec = [(c.pk, c.name_zh, False) for c in categories] + [(None, pgettext("matrix row", "Total"), True)]
    metrics = {}
    for metric in METRICS:
        grid = []
        for category_id, label, is_total in rows_spec:
            cells = []
            for year in columns:
                rollup = rollups.get((year, category_id))
                computed = Decimal(getattr(rollup, metric)) if rollup else Decimal(0)
                figures = stated.get((year, category_id, metric), {})
                cell = {"year": year, "computed": computed, "annex": None, "narrative": None, "manual": None,
                        "worst_difference": None, "sources": []}
                for origin in ("annex", "narrative", "manual"):
                    figure = figures.get(origin)
                    if figure is None:
                        continue
                    cell[origin] = figure.value
                    difference = computed - figure.value
                    cell[f"{origin}_difference"] = difference
                    cell["sources"].append(figure.source)
                    if difference and (cell["worst_difference"] is None
                                       or abs(difference) > abs(cell["worst_difference"])):
                        cell["worst_difference"] = difference
                cells.append(cell)
            grid.append({"label": label, "total": is_total, "category_id": category_id, "cells": cells})
        metrics[metric] = grid
    return {"columns": columns, "metrics": metrics}
