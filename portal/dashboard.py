"""What a plan's dashboard shows: totals by year and category, planned against disbursed,
open disagreements, indicator progress and each year's review status. A constant number
of queries, whatever the plan's size: everything comes from the stored rollups."""

from collections import Counter
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.charts import stacked_bars_svg
from indicators.overview import overview_rows
from plans.models import Category, PlanYear
from rollups.models import Rollup, Variance
from rollups.queries import state_of


def dashboard_context(plan) -> dict:
    rollups = list(Rollup.objects.filter(plan=plan, kind__in=[Rollup.Kind.CATEGORY, Rollup.Kind.TOTAL]))
    names = dict(Category.objects.filter(plan=plan).order_by("order").values_list("pk", "name_zh"))
    by_year = {r.year: r for r in rollups if r.kind == Rollup.Kind.TOTAL and r.year is not None}
    by_category = {r.category_id: r for r in rollups if r.kind == Rollup.Kind.CATEGORY and r.year is None}
    whole = next((r for r in rollups if r.kind == Rollup.Kind.TOTAL and r.year is None), None)
    series = [_("cooperation funds"), _("local funds")]
    years_chart = stacked_bars_svg(
        title=_("Planned funds by year (万元)"), series=series,
        rows=[(str(y), [_d(by_year[y].beijing_funds), _d(by_year[y].local_funds)]) if y in by_year
              else (str(y), [Decimal(0), Decimal(0)]) for y in plan.years],
    )
    categories_chart = stacked_bars_svg(
        title=_("Planned funds by category (万元)"), series=series,
        rows=[(name, [_d(by_category[pk].beijing_funds), _d(by_category[pk].local_funds)])
              for pk, name in names.items() if pk in by_category],
    )
    open_variances = Counter(Variance.objects.filter(plan=plan, status=Variance.Status.DIFFERS)
                             .values_list("kind", flat=True))
    indicator_rows = overview_rows(plan=plan)
    statuses = Counter(row.progress.status for row in indicator_rows)
    binding_missing = [row for row in indicator_rows if row.progress.missing_this_year]
    return {
        "whole": whole,
        "years": [(y, by_year.get(y)) for y in plan.years],
        "years_chart": mark_safe(years_chart),  # built from escaped parts in plans.charts
        "categories_chart": mark_safe(categories_chart),
        "open_variances": sum(open_variances.values()),
        "open_by_kind": sorted(open_variances.items()),
        "indicator_statuses": statuses,
        "indicator_count": len(indicator_rows),
        "binding_missing": binding_missing,
        "plan_ended": plan.period() == plan.Period.ENDED,
        "plan_not_started": plan.period() == plan.Period.NOT_STARTED,
        "plan_years": list(PlanYear.objects.filter(plan=plan).select_related("review_changed_by").order_by("year")),
        "state": state_of(plan),
    }


def _d(value) -> Decimal:
    return Decimal(value or 0)
