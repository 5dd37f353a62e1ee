"""Yearly review pages. Thin: the access helper, a service, a redirect with a message.

The list links to each year; a year's page shows its totals, then the steps the user may take, each of
which opens a confirmation page naming the year and its figures. The confirmation posts the figures'
check code with a required tick box, so a step on figures that changed meanwhile is refused (409) and
the page shows the figures as they are now. The sign-off sheet is the year on one printable page.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from plans.access import ADMIN, EDIT, REVIEW, VIEW, may, plan_for_user
from plans.models import Category, PlanYear
from reviews.changes import last_approval, origin, since_approval
from reviews.forms import CLOSE, ConfirmForm
from reviews.models import PlanEvent, ReviewEvent
from reviews.queries import plan_figures, year_figures, years_overview
from reviews.services import (TRANSITIONS, StaleFigures, allowed_actions, close_check, plan_close,
                              review_permissions, step_check, year_step)
from rollups.matrix import plan_matrix
from rollups.models import Variance
from rollups.queries import METRICS, state_of
from rollups.sentences import METRIC_NAMES, sentence

Action = ReviewEvent.Action
Review = PlanYear.Review
BUTTONS = {
    Action.SUBMIT: gettext_lazy("Submit for review"),
    Action.APPROVE: gettext_lazy("Approve and lock"),
    Action.RETURN: gettext_lazy("Return for revision"),
    Action.REOPEN: gettext_lazy("Reopen"),
}
TITLES = {
    Action.SUBMIT: gettext_lazy("Confirm: submit %(year)s for review"),
    Action.APPROVE: gettext_lazy("Confirm: approve and lock %(year)s"),
    Action.RETURN: gettext_lazy("Confirm: return %(year)s for revision"),
    Action.REOPEN: gettext_lazy("Confirm: reopen %(year)s"),
}
HINTS = {
    Action.SUBMIT: gettext_lazy("The liaison officers are told by e-mail and review the year next."),
    Action.APPROVE: gettext_lazy("Once approved, the budgets of this year are locked until a liaison officer "
                                 "reopens it."),
    Action.RETURN: gettext_lazy("Say what to fix: the county staff see your reason on this page and by e-mail."),
    Action.REOPEN: gettext_lazy("Say why: the budgets of the year can be changed again, and the year must be "
                                "submitted and approved anew."),
}
DONE = {
    Action.SUBMIT: gettext_lazy("%(year)s has been submitted for review."),
    Action.APPROVE: gettext_lazy("%(year)s has been approved and is now locked."),
    Action.RETURN: gettext_lazy("%(year)s has been returned for revision."),
    Action.REOPEN: gettext_lazy("%(year)s has been reopened: its budgets can be changed again."),
}
# What comes next in each state, and the permission of whoever takes it.
NEXT_STEP = {
    Review.OPEN: (gettext_lazy("Next: county staff check the figures and submit the year for review."), EDIT),
    Review.RETURNED: (gettext_lazy("Next: county staff revise the figures as the reason says and submit them "
                                   "again."), EDIT),
    Review.SUBMITTED: (gettext_lazy("Next: a liaison officer approves the year or returns it for revision."),
                       REVIEW),
    Review.APPROVED: (gettext_lazy("Approved and locked. A liaison officer may reopen it for a correction."), None),
}
STATUS_BADGE = {  # review status → an existing badge colour of planportal.css
    Review.OPEN: "not_computable",
    Review.SUBMITTED: "on_track",
    Review.RETURNED: "differs",
    Review.APPROVED: "agrees",
}
SHEET_DISAGREEMENTS = 8  # on one A4 page; "and N more" for the rest
SHEET_EVENTS = 8  # the latest review steps


def _next_step(plan_year, permissions) -> dict:
    text, need = NEXT_STEP[plan_year.review_status]
    return {"text": text, "yours": need is not None and need in permissions}


def _actions(plan_year, permissions) -> list[dict]:
    return [{"action": action, "label": BUTTONS[action]}
            for action in allowed_actions(plan_year=plan_year, permissions=permissions)]


@login_required
def year_list(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    permissions = review_permissions(request.user, plan)
    last = ReviewEvent.objects.filter(plan_year=OuterRef("pk")).order_by("-at", "-id")
    years = (PlanYear.objects.filter(plan=plan)
             .annotate(last_action=Subquery(last.values("action")[:1]),
                       last_reason=Subquery(last.values("reason")[:1]),
                       last_user=Subquery(last.values("user_name")[:1]),
                       last_at=Subquery(last.values("at")[:1]))
             .order_by("year"))
    overview = years_overview(plan)
    actions = dict(Action.choices)
    rows = [{"py": py, "badge": STATUS_BADGE.get(py.review_status, "not_computable"),
             "last_action": actions.get(py.last_action), "figures": overview.get(py.year, {}),
             "next": _next_step(py, permissions)} for py in years]
    all_approved = all(py.review_status == Review.APPROVED for py in years)
    return render(request, "reviews/year_list.html", {
        "plan": plan, "rows": rows, "closure": _closure(plan),
        "may_close": all_approved and not plan.closed and may(request.user, plan, ADMIN),
        "waiting": [py.year for py in years if py.review_status != Review.APPROVED]})


def _closure(plan) -> PlanEvent | None:
    """The event that closed the plan, while it is closed."""
    if not plan.closed:
        return None
    return PlanEvent.objects.filter(plan=plan, action=PlanEvent.Action.CLOSE).order_by("-at", "-id").first()


@login_required
@require_http_methods(["GET", "POST"])
def plan_close_view(request, code):
    """GET: the confirmation of closing the plan, with every year's figures; POST: closing it."""
    plan = plan_for_user(request.user, code, VIEW)
    back = redirect("plan-reviews", plan.code)
    done = _confirmed_step(
        request, back=back, action=CLOSE, check=lambda: close_check(plan=plan, user=request.user),
        figures_now=lambda: plan_figures(plan),
        take=lambda text, confirmed: plan_close(plan=plan, user=request.user, note=text, confirmed=confirmed),
        done_message=gettext_lazy("The plan is closed: nothing of it changes any more."))
    if isinstance(done, HttpResponseBase):
        return done
    return render(request, "reviews/close.html", {"plan": plan, "figures": done.figures, "form": done.form,
                                                  "stale": done.stale}, status=done.status)


@dataclass
class _Confirmation:
    figures: object
    form: ConfirmForm
    stale: str | None
    status: int


def _confirmed_step(request, *, back, action, check, figures_now, take, done_message):
    """The flow a year's step and the plan's closing share: a step the state does not allow goes back with why;
    GET shows the figures to confirm; POST takes the step with the check code of the figures confirmed, or,
    when they changed meanwhile (StaleFigures), shows them as they are now (409) with the user's text kept and
    the box to tick again. Returns a response to send, or what the confirmation page shows."""
    try:
        check()
    except ValidationError as refused:  # the wrong state: nothing to confirm
        for message in refused.messages:
            messages.error(request, message)
        return back
    figures = figures_now()
    form = ConfirmForm(request.POST if request.method == "POST" else None, action=action, figures=figures)
    stale, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            take(form.cleaned_data["text"], form.cleaned_data["confirmed"])
        except StaleFigures as refused:
            figures = figures_now()
            form = ConfirmForm(action=action, figures=figures, text=form.cleaned_data["text"])
            stale, status = refused.messages[0], 409
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
            return back
        else:
            messages.success(request, done_message)
            return back
    return _Confirmation(figures, form, stale, status)


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


def _plan_year(plan, year: int) -> PlanYear:
    return get_object_or_404(PlanYear.objects.select_related("review_changed_by", "plan"), plan=plan, year=year)


@login_required
def year_detail(request, code, year):
    plan = plan_for_user(request.user, code, VIEW)
    plan_year = _plan_year(plan, year)
    permissions = review_permissions(request.user, plan)
    lang = get_language() or "zh-hans"
    variances = (Variance.objects.filter(plan=plan, year=year, status=Variance.Status.DIFFERS)
                 .select_related("category").order_by("category__order", "kind", "id"))
    events = list(ReviewEvent.objects.for_year(plan_year).order_by("at", "id"))
    approval = last_approval(events)
    return render(request, "reviews/year_detail.html", {
        "plan": plan,
        "py": plan_year,
        "badge": STATUS_BADGE.get(plan_year.review_status, "not_computable"),
        "state": state_of(plan),
        "tables": _year_tables(plan, year, lang.startswith("en")),
        "disagreements": [{"v": v, "text": sentence(v, lang)} for v in variances],
        "approval": approval,
        "since": since_approval(plan_year, approval, year_figures(plan_year)) if approval else None,
        "origin": None if approval else origin(plan_year),
        "events": list(reversed(events)),
        "actions": _actions(plan_year, permissions),
        "next": _next_step(plan_year, permissions),
    })


@login_required
@require_http_methods(["GET", "POST"])
def year_action(request, code, year, action):
    """GET: the confirmation of one step; POST: the step, with the check code of the figures confirmed."""
    if action not in TRANSITIONS:
        raise Http404("No such review action.")
    plan = plan_for_user(request.user, code, TRANSITIONS[action][0])  # an outsider: 404; a role that may not: 403
    plan_year = _plan_year(plan, year)
    back = redirect("plan-review", plan.code, plan_year.year)
    done = _confirmed_step(
        request, back=back, action=action,
        check=lambda: step_check(action=action, plan_year=plan_year, user=request.user),
        figures_now=lambda: year_figures(plan_year),
        take=lambda text, confirmed: year_step(action=action, plan_year=plan_year, user=request.user, text=text,
                                               confirmed=confirmed),
        done_message=DONE[action] % {"year": plan_year.year})
    if isinstance(done, HttpResponseBase):
        return done
    return render(request, "reviews/confirm.html", {
        "plan": plan, "py": plan_year, "action": action, "figures": done.figures, "form": done.form,
        "stale": done.stale, "title": TITLES[action] % {"year": plan_year.year}, "hint": HINTS[action],
        "button": BUTTONS[action],
    }, status=done.status)


@login_required
def year_sheet(request, code, year):
    """The year's sign-off sheet (年度审核确认单): one A4 page to print and sign."""
    plan = plan_for_user(request.user, code, VIEW)
    plan_year = _plan_year(plan, year)
    lang = get_language() or "zh-hans"
    categories = list(Category.objects.filter(plan=plan).order_by("order", "id"))
    differing = (Variance.objects.filter(plan=plan, year=year, status=Variance.Status.DIFFERS)
                 .select_related("category").order_by("category__order", "kind", "id"))
    shown = list(differing[:SHEET_DISAGREEMENTS])
    total = differing.count() if len(shown) == SHEET_DISAGREEMENTS else len(shown)
    events = list(ReviewEvent.objects.for_year(plan_year).order_by("at", "id"))
    return render(request, "reviews/sheet.html", {
        "plan": plan,
        "py": plan_year,
        "figures": year_figures(plan_year, categories=categories),
        "disagreements": [sentence(v, lang) for v in shown],
        "disagreements_more": total - len(shown),
        "events": events[-SHEET_EVENTS:],
        "events_earlier": max(len(events) - SHEET_EVENTS, 0),
        "printed_at": timezone.now(),
    })
