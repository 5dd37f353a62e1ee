"""The plan's places to review: names in its projects' locations the banner's village list does not settle.

Thin, like the other pages: plans.access.plan_for_user first (a reader sees the list, an editor
decides), then projects.services (place_questions reads, place_question_decide writes).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding.models import AnnualBudget
from plans.access import EDIT, VIEW, may, plan_for_user
from projects.services import place_question_decide, place_questions, place_recognition


def _summary(plan, recognition) -> dict:
    """How the plan's yearly rows stand: with a township, across the banner, or waiting here (two queries)."""
    rows = AnnualBudget.objects.filter(project__plan=plan).values_list("project__location_text", "project__township_id")
    counts = {"rows": 0, "placed": 0, "wide": 0, "open": 0}
    wide: dict[str, bool] = {}
    for text, township in rows:
        counts["rows"] += 1
        if township:
            counts["placed"] += 1
            continue
        if text not in wide:
            wide[text] = recognition.parse(text).wide
        counts["wide" if wide[text] else "open"] += 1
    return counts


@login_required
@require_http_methods(["GET", "POST"])
def place_review(request, code):
    plan = plan_for_user(request.user, code, EDIT if request.method == "POST" else VIEW)
    if request.method == "POST":
        spelling = request.POST.get("spelling", "")
        village = request.POST.get("village", "").strip()
        if not spelling or not (village or "none" in request.POST):
            messages.error(request, _("Choose a village of the list, or “none of these”."))
            return redirect("plan-places", code=plan.code)
        try:
            result = place_question_decide(plan=plan, spelling=spelling, code=village or None, user=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, _("“%(spelling)s” is decided; it is kept for every later import. The place "
                                        "of %(count)s projects changed.") % {"spelling": spelling,
                                                                             "count": result.changed})
            if result.kept_locked:
                messages.warning(request, _("%(count)s projects of approved years keep their place until the year "
                                            "is reopened.") % {"count": len(result.kept_locked)})
        return redirect("plan-places", code=plan.code)
    recognition = place_recognition(plan)
    listed = []
    if recognition.village_list is not None:
        listed = list(recognition.village_list.villages.filter(listed=True).order_by("township", "name")
                      .values_list("code", "township", "name"))
    return render(request, "places/review.html", {
        "plan": plan,
        "village_list": recognition.village_list,
        "items": place_questions(plan, recognition),
        "listed": listed,
        "summary": _summary(plan, recognition),
        "can_edit": may(request.user, plan, EDIT),
    })
