"""The final evaluation page and its downloads. Thin: the access helper, one read, a template or a file.

?format=json: the dict the page renders from; ?format=xlsx: its tables (in the page's language);
?format=docx: the report an office edits and prints (in Chinese, as official documents are).
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from evaluation.docx_report import evaluation_docx
from evaluation.labels import indicator_kinds
from evaluation.report import evaluation_report
from evaluation.xlsx_report import evaluation_xlsx
from planportal.downloads import DOCX, XLSX, attachment
from plans.access import VIEW, plan_for_user
from rollups.queries import state_of



@login_required
@require_GET
def evaluation(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    lang = get_language() or "zh-hans"
    wanted = request.GET.get("format")
    state = state_of(plan)
    if wanted == "docx":
        response = attachment(DOCX, f"{plan.code}-evaluation.docx")
        evaluation_docx(evaluation_report(plan, lang="zh", state=state), response)
        return response
    report = evaluation_report(plan, lang=lang, state=state)
    if wanted == "json":
        return JsonResponse(report, json_dumps_params={"ensure_ascii": False, "indent": 1})
    if wanted == "xlsx":
        response = attachment(XLSX, f"{plan.code}-evaluation.xlsx")
        evaluation_xlsx(report, response, lang=lang)
        return response
    return render(request, "evaluation/evaluation.html", {
        "plan": plan, "report": report, "state": state, "indicator_kinds": indicator_kinds(report),
    })
