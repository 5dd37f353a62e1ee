"""Reading totals and disagreements for pages, exports and the CLI."""

from decimal import Decimal

from plans.models import Category
from rollups.models import RecomputeState, Rollup, Variance

METRICS = ("projects", "total_investment", "beijing_funds", "local_funds")


def _amount(value) -> str:
    return str(value) if value is not None else None


def rollups_json(plan) -> list[dict]:
    """The CLI's `rollups`: one row per year and category with rows, each year's total, the plan's total."""
    names = dict(Category.objects.filter(plan=plan).values_list("pk", "name_zh"))
    order = dict(Category.objects.filter(plan=plan).values_list("pk", "order"))
    rows = Rollup.objects.filter(plan=plan, kind__in=[Rollup.Kind.CATEGORY, Rollup.Kind.TOTAL])
    out = []
    for r in rows:
        if r.kind == Rollup.Kind.CATEGORY and r.year is None:
            continue  # per-category five-year totals are on the page, not in this list
        out.append({
            "year": r.year,
            "category": names.get(r.category_id) if r.kind == Rollup.Kind.CATEGORY else None,
            "projects": r.projects,
            "total_investment": _amount(r.total_investment),
            "beijing_funds": _amount(r.beijing_funds),
            "local_funds": _amount(r.local_funds),
            "actual_beijing_funds": _amount(r.actual_beijing_funds),
            "actual_local_funds": _amount(r.actual_local_funds),
        })
    out.sort(key=lambda r: (r["year"] is None, r["year"] or 0, r["category"] is None,
                            order.get(next((k for k, v in names.items() if v == r["category"]), None), 0)))
    return out


def _decimal(value):
    if value is None:
        return None
    value = Decimal(value)
    return str(value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize())


def variances_json(plan, *, differing_only=True) -> list[dict]:
    rows = Variance.objects.filter(plan=plan).select_related("category")
    if differing_only:
        rows = rows.filter(status=Variance.Status.DIFFERS)
    return [
        {
            "year": v.year,
            "category": v.category.name_zh if v.category else None,
            "metric": v.metric,
            "kind": v.kind,
            "status": v.status,
            "stated": _decimal(v.stated),
            "computed": _decimal(v.computed),
            "difference": _decimal(v.difference),
            "source": v.source,
        }
        for v in rows.order_by("year", "category__order", "kind", "id")
    ]


def state_of(plan) -> RecomputeState | None:
    return RecomputeState.objects.filter(plan=plan).first()
