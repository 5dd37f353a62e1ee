"""Yearly review pages. Thin: the access helper, a service, a redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from plans.access import VIEW, plan_for_user
from plans.models import PlanYear
from reviews.changes import changes_since
from reviews.forms import form_for
from reviews.models import ReviewEvent
from reviews.services import (REASON_REQUIRED, TRANSITIONS, allowed_actions, review_permissions, year_approve,
                              year_reopen, year_return, year_submit)
from rollups.matrix import plan_matrix
from rollups.models import Variance
from rollups.queries import METRICS, state_of
from rollups.sentences import METRIC_NAMES, sentence

Action = ReviewEvent.Action
BUTTONS = {
    Action.SUBMIT: gettext_lazy("Submit for review"),
    Action.APPROVE: gettext_lazy("Approve and lock"),
    Action.RETURN: gettext_lazy("Return for revision"),
    Action.REOPEN: gettext_lazy("Reopen"),
}
DONE = {
    Action.SUBMIT: gettext_lazy("%(year)s has been submitted for review."),
    Action.APPROVE: gettext_lazy("%(year)s has been approved and is now locked."),
    Action.RETURN: gettext_lazy("%(year)s has been returned for revision."),
    Action.REOPEN: gettext_lazy("%(year)s has been reopened: its budgets can be changed again."),
}
STATUS_BADGE = {  # review status → an existing badge colour of planportal.css
    PlanYear.Review.OPEN: "not_computable",
    PlanYear.Review.SUBMITTED: "on_track",
    PlanYear.Review.RETURNED: "differs",
    PlanYear.Review.APPROVED: "agrees",
}


def _buttons(plan_year, permissions) -> list[dict]:
    return [{"action": action, "label": BUTTONS[action], "needs_reason": action in REASON_REQUIRED,
             "form": form_for(action)} for action in allowed_actions(plan_year=plan_year, permissions=permissions)]


@login_required
def year_list(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    permissions = review_permissions(request.user, plan)
    last = ReviewEvent.objects.filter(plan_year=OuterRef("pk")).order_by("-at", "-id")
    years = (PlanYear.objects.filter(plan=plan).select_related("review_changed_by")
             .annotate(last_action=Subquery(last.values("action")[:1]),
                       last_reason=Subquery(last.values("reason")[:1]),
                       last_user=Subquery(last.values("user_name")[:1]))
             .order_by("year"))
    actions = dict(Action.choices)
    rows = [{"py": py, "badge": STATUS_BADGE.get(py.review_status, "not_computable"),
             "last_action": actions.get(py.last_action), "buttons": _buttons(py, permissions)} for py in years]
    return render(request, "reviews/year_list.html", {"plan": plan, "rows": rows})


def _year_tables(plan, year: int, en: bool) -> list[dict]:
    """One small table per figure (项目数, 项目总投资, 京蒙资金, 地方自筹资金): this year's column of the matrix."""
    matrix = plan_matrix(plan)
    if year not in matrix["columns"]:
        return []
    column = matrix["columns"].index(year)
    tables = []
    for metric in METRICS:
        rows = [{"label": row["label"], "total": row["total"], "cell": row["cells"][column]}
                for row in matrix["metrics"][metric]]
        # A category with no rows and no stated figure that year says nothing: leave it out.
        rows = [r for r in rows if r["total"] or r["cell"]["computed"] or r["cell"]["sources"]]
        tables.append({"metric": metric, "name": METRIC_NAMES[metric][1 if en else 0],
                       "money": metric != "projects", "rows": rows})
    return tables


def last_review(events: list[ReviewEvent]) -> ReviewEvent | None:
    """Where "what changed" starts: the reviewer's last decision (return or approval), so that after a
    return the staff's fixes show even though they were made before the resubmission; before any
    decision, the first submission. (A reopening is not a review: changes since the approval count.)"""
    decisions = [e for e in events if e.action in (Action.APPROVE, Action.RETURN)]
    if decisions:
        return decisions[-1]
    submissions = [e for e in events if e.action == Action.SUBMIT]
    return submissions[-1] if submissions else None


@login_required
def year_detail(request, code, year):
    plan = plan_for_user(request.user, code, VIEW)
    plan_year = get_object_or_404(PlanYear.objects.select_related("review_changed_by"), plan=plan, year=year)
    permissions = review_permissions(request.user, plan)
    lang = get_language() or "zh-hans"
    variances = (Variance.objects.filter(plan=plan, year=year, status=Variance.Status.DIFFERS)
                 .select_related("category").order_by("category__order", "kind", "id"))
    events = list(ReviewEvent.objects.for_year(plan_year).order_by("at", "id"))
    since = last_review(events)
    return render(request, "reviews/year_detail.html", {
        "plan": plan,
        "py": plan_year,
        "badge": STATUS_BADGE.get(plan_year.review_status, "not_computable"),
        "state": state_of(plan),
        "tables": _year_tables(plan, year, lang.startswith("en")),
        "disagreements": [{"v": v, "text": sentence(v, lang)} for v in variances],
        "since": since,
        "changed": changes_since(plan_year, since.at if since else None),
        "events": list(reversed(events)),
        "buttons": _buttons(plan_year, permissions),
    })


@login_required
@require_POST
def year_action(request, code, year, action):
    if action not in TRANSITIONS:
        raise Http404("No such review action.")
    need = TRANSITIONS[action][0]
    plan = plan_for_user(request.user, code, need)  # an outsider: 404; a role that may not: 403
    plan_year = get_object_or_404(PlanYear, plan=plan, year=year)
    back = (redirect("plan-reviews", plan.code) if request.POST.get("back") == "list"
            else redirect("plan-review", plan.code, plan_year.year))
    form = form_for(action, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    text = form.cleaned_data["text"]
    try:
        if action == Action.SUBMIT:
            year_submit(plan_year=plan_year, user=request.user, note=text)
        elif action == Action.APPROVE:
            year_approve(plan_year=plan_year, user=request.user, note=text)
        elif action == Action.RETURN:
            year_return(plan_year=plan_year, user=request.user, reason=text)
        else:
            year_reopen(plan_year=plan_year, user=request.user, reason=text)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
        return back
    messages.success(request, DONE[action] % {"year": plan_year.year})
    return back
