"""Pages of a plan's totals and disagreements. Thin: access helper, a query, a template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from planportal.downloads import XLSX, attachment
from plans.access import VIEW, plan_for_user
from rollups.export import matrix_xlsx, variances_xlsx
from rollups.matrix import plan_matrix
from rollups.models import Variance
from rollups.queries import METRICS, state_of
from rollups.sentences import METRIC_NAMES, sentence



@login_required
def matrix(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    data = plan_matrix(plan)
    lang = get_language() or "zh-hans"
    if request.GET.get("format") == "xlsx":
        response = attachment(XLSX, f"{plan.code}-totals.xlsx")
        matrix_xlsx(plan=plan, matrix=data, out=response, lang=lang)
        return response
    metric = request.GET.get("metric") if request.GET.get("metric") in METRICS else "beijing_funds"
    en = lang.startswith("en")
    return render(request, "rollups/matrix.html", {
        "plan": plan,
        "state": state_of(plan),
        "columns": data["columns"],
        "rows": data["metrics"][metric],
        "metric": metric,
        "money": metric != "projects",
        "metrics": [(m, METRIC_NAMES[m][1 if en else 0]) for m in METRICS],
    })


@login_required
def variances(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    show_all = request.GET.get("show") == "all"
    rows = Variance.objects.filter(plan=plan).select_related("category").order_by(
        "year", "category__order", "kind", "id")
    counts = {status: 0 for status in Variance.Status.values}
    for status in rows.values_list("status", flat=True):
        counts[status] += 1
    if not show_all:
        rows = rows.filter(status=Variance.Status.DIFFERS)
    lang = get_language() or "zh-hans"
    if request.GET.get("format") == "xlsx":
        response = attachment(XLSX, f"{plan.code}-disagreements.xlsx")
        variances_xlsx(variances=rows, out=response, lang=lang)
        return response
    lines = [{"v": v, "text": sentence(v, lang)} for v in rows]
    return render(request, "rollups/variances.html", {
        "plan": plan, "state": state_of(plan), "lines": lines, "counts": counts, "show_all": show_all,
        "title": _("Disagreements"),
    })
