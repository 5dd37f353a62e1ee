"""Indicator pages of a plan: the overview, one indicator with its chart, values and corrections.

Thin: every view asks plans.access.plan_for_user first (another plan's member
gets 404, a reader who posts gets 403), then reads or calls a service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from indicators.charts import ChartLabels, indicator_chart_svg
from indicators.forms import IndicatorValueForm
from indicators.models import Indicator, IndicatorValue
from indicators.overview import corrections, derived_by_year, overview_rows, progress_of, value_rows
from indicators.services import indicator_value_set
from plans.access import EDIT, VIEW, may, plan_for_user


@login_required
@require_GET
def indicator_overview(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    rows = overview_rows(plan=plan)
    context = {
        "plan": plan,
        "main_rows": [row for row in rows if row.indicator.kind == Indicator.Kind.MAIN],
        "goal_rows": [row for row in rows if row.indicator.kind == Indicator.Kind.GOAL],
        "this_year": rows[0].progress.this_year if rows else None,
    }
    return render(request, "indicators/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request, code, pk):
    plan = plan_for_user(request.user, code, EDIT if request.method == "POST" else VIEW)
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), plan=plan, pk=pk)
    form = None
    if request.method == "POST":
        form = IndicatorValueForm(request.POST, request.FILES, plan=plan)
        if form.is_valid():
            try:
                entry = indicator_value_set(indicator=indicator, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The value for %(year)s is saved.") % {"year": entry.year})
                return redirect("plan-indicator", code=plan.code, pk=indicator.pk)
    elif may(request.user, plan, EDIT):
        form = IndicatorValueForm(initial=_initial_for(indicator, request.GET.get("year")), plan=plan)
    return render(request, "indicators/detail.html", _detail_context(request, plan, indicator, form))


def _initial_for(indicator, year_text):
    """Prefill the form with the year's current value, so a correction starts from what is there."""
    year = int(year_text) if year_text and year_text.isdigit() else None
    current = indicator.values.filter(year=year).first() if year else None
    if current is None:
        return {"year": year or progress_of(indicator, {}).this_year}
    return {"year": current.year, "value": current.value, "note": current.note, "evidence_text": current.evidence_text}


def _detail_context(request, plan, indicator, form):
    values = value_rows(indicator)
    by_year = {entry.year: entry.value for entry in values}
    derived = derived_by_year(indicator)
    labels = ChartLabels(
        values=_("Reported value"), target=_("Target"), derived=_("Counted from projects"),
        no_values=_("No value reported yet."),
    )
    chart = indicator_chart_svg(
        chart_id=f"indicator-{indicator.pk}", title=indicator.name, unit=indicator.unit, years=list(plan.years),
        values=by_year, target=indicator.target, labels=labels,
        derived={year: value for year, value in derived.items() if year is not None},
    )
    return {
        "plan": plan,
        "indicator": indicator,
        "progress": progress_of(indicator, by_year),
        # charts.indicator_chart_svg escapes every text it writes.
        "chart": mark_safe(chart),  # noqa: S308
        "values": values,
        "derived_total": derived.get(None),
        "derived_years": sorted((year, value) for year, value in derived.items() if year is not None),
        "corrections": corrections(indicator),
        "form": form,
    }


@login_required
@require_GET
def indicator_evidence(request, code, pk, value_pk):
    """An evidence file, to the plan's members only (uploads are not public media)."""
    plan = plan_for_user(request.user, code, VIEW)
    entry = get_object_or_404(IndicatorValue, pk=value_pk, indicator_id=pk, indicator__plan=plan)
    if not entry.evidence_file:
        raise Http404
    filename = entry.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(entry.evidence_file.open("rb"), as_attachment=True, filename=filename)
