"""Indicator pages of a plan: the overview, one indicator with its chart, values and corrections.

Thin: every view asks plans.access.plan_for_user first (another plan's member
gets 404, a reader who posts gets 403), then reads or calls a service.

No lost updates: the value form carries the version of the year's value it was opened
at; a save over someone else's newer save is refused (409) and the form is shown again
with what they changed, the user's entries kept and the newer version, so saving again
is a deliberate choice (as the budget form does).
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
from indicators.overview import (corrections, derived_by_year, overview_rows, progress_of, value_conflict,
                                 value_rows)
from indicators.services import indicator_value_set
from planportal.concurrency import StaleEdit
from planportal.lib.params import whole_number
from plans.access import EDIT, VIEW, may, plan_for_user

CONFLICT = 409


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
    form = conflict = None
    if request.method == "POST":
        form = IndicatorValueForm(request.POST, request.FILES, plan=plan)
        if form.is_valid():
            try:
                entry = indicator_value_set(indicator=indicator, user=request.user,
                                            expected_version=form.expected_version(), **form.changes())
            except StaleEdit as stale:
                conflict = value_conflict(stale.current, form.expected_version())
                chosen_file = form.cleaned_data.get("evidence_file")
                form = form.rebased(stale.current.version, conflict.changes)
                if chosen_file:  # a browser sends a file once: it has to be chosen again
                    form.add_error("evidence_file", _("Your file “%(name)s” was not saved: choose it again.")
                                   % {"name": chosen_file.name})
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The value for %(year)s is saved.") % {"year": entry.year})
                return redirect("plan-indicator", code=plan.code, pk=indicator.pk)
    elif may(request.user, plan, EDIT):
        form = IndicatorValueForm(initial=_initial_for(indicator, request.GET.get("year")), plan=plan)
    return render(request, "indicators/detail.html", _detail_context(request, plan, indicator, form, conflict),
                  status=CONFLICT if conflict else 200)


def _initial_for(indicator, year_text):
    """The form for the year asked for (default: this year), prefilled with its current value if it has one,
    so a correction starts from what is there and from its version."""
    year = whole_number(year_text)
    if year is None:
        year = progress_of(indicator, {}).this_year
    return IndicatorValueForm.initial_for(year, indicator.values.filter(year=year).first())


def _detail_context(request, plan, indicator, form, conflict=None):
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
        "conflict": conflict,
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
