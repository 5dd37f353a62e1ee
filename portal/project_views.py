"""Project pages a plan's members read: the filtered list (with its exports) and one project.

Thin: every view asks plans.access.plan_for_user first (another plan's member gets
404, a reader who posts a change gets 403), then reads or calls a service. The
forms that change projects and budgets are in projects.edit_views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from funding.models import AnnualBudget, Disbursement
from funding.export import flat_export_csv, flat_export_xlsx
from planportal.downloads import CSV, XLSX, attachment
from plans.access import EDIT, VIEW, may, plan_for_user
from projects.comments import comment_create, comments_of
from funding.filters import SORT_LABELS, ProjectListFilterSet, project_list
from portal.project_forms import BudgetForm, CommentForm, attach_errors
from funding.history import project_history
from projects.models import Project

PAGE_SIZE = 50


@login_required
@require_GET
def project_list_view(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    filters = ProjectListFilterSet(request.GET or None, plan=plan)
    if filters.is_bound and not filters.is_valid():
        # A filter that cannot be read filters nothing, and no list pretends it did: the form shows what to
        # correct, and neither a count, totals nor an export is given until it is corrected.
        return render(request, "projects/list.html", {
            "plan": plan, "form": filters.form, "invalid": True, "filtered": True,
            "can_edit": may(request.user, plan, EDIT),
        }, status=400)
    listing = project_list(filters)
    export = request.GET.get("format")
    if export == "csv":
        response = attachment(CSV, f"{plan.code}-projects.csv")
        flat_export_csv(queryset=listing.budgets, out_text_stream=response)
        return response
    if export == "xlsx":
        response = attachment(XLSX, f"{plan.code}-projects.xlsx")
        flat_export_xlsx(queryset=listing.budgets, out=response)
        return response
    page = listing.paginator(PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/list.html", {
        "plan": plan,
        "form": filters.form,
        "page": page,
        "year": listing.year,
        "sort": listing.sort,
        "sort_columns": list(SORT_LABELS),
        "totals": listing.totals(),
        "filtered": bool(filters.applied().keys() - {"sort", "amount"}),
        "can_edit": may(request.user, plan, EDIT),
    })


def project_of(plan, pk) -> Project:
    """A project of this plan; an id of another plan's project is "not found" here."""
    queryset = Project.objects.select_related("plan", "category", "unit", "township", "village")
    return get_object_or_404(queryset, plan=plan, pk=pk)


# How far back a 续建 chain is followed: three earlier five-year plans is more than any project runs.
EARLIER_PLANS = 3
_CHAIN = tuple("continues__" * depth + "continues__plan" for depth in range(EARLIER_PLANS))


def _funding_across_plans(user, project) -> dict | None:
    """A 续建 project's whole funding: the budgets of the projects it continues in earlier plans (those the
    user may see), year by year, and the sums over every plan. Three queries whatever the chain's length;
    None for a project that continues none."""
    if project.continues_id is None:
        return None
    earlier, step = [], Project.objects.select_related(*_CHAIN).get(pk=project.pk).continues
    while step is not None:  # each step's `continues` came with the select_related above
        earlier.append(step)
        if len(earlier) == EARLIER_PLANS:
            break
        step = step.continues
    visible = [p for p in earlier if may(user, p.plan, VIEW)]
    budgets = list(AnnualBudget.objects.filter(project__in=visible).select_related("plan_year__plan")
                   .order_by("plan_year__year"))
    return {
        "earlier": earlier,
        "hidden": len(earlier) - len(visible),
        "budgets": budgets,
        "totals": AnnualBudget.objects.filter(project__in=[project, *visible]).totals(),
    }


def _detail(request, plan, project, comment_form=None, status=200):
    budgets = list(AnnualBudget.objects.filter(project=project).select_related("plan_year")
                   .order_by("plan_year__year"))
    can_edit = may(request.user, plan, EDIT)
    return render(request, "projects/detail.html", {
        "plan": plan,
        "project": project,
        "budgets": budgets,
        "totals": AnnualBudget.objects.filter(project=project).totals(),
        "disbursements": Disbursement.objects.filter(budget__project=project).order_by(
            "budget__plan_year__year", "paid_on", "voucher_no").values(
            "paid_on", "voucher_no", "beijing_amount", "local_amount", year=F("budget__plan_year__year")),
        "across_plans": _funding_across_plans(request.user, project),
        "history": project_history(project),
        "comments": comments_of(project),
        "comment_form": comment_form or CommentForm(),
        "can_edit": can_edit,
        "years_to_add": BudgetForm.years_to_add(project, [b.plan_year.year for b in budgets]) if can_edit else [],
    }, status=status)


@login_required
@require_GET
def project_detail(request, code, pk):
    plan = plan_for_user(request.user, code, VIEW)
    return _detail(request, plan, project_of(plan, pk))


@login_required
@require_http_methods(["GET", "POST"])
def project_comment(request, code, pk):
    """Liaison officers, staff and admins of the plan may comment (reading is all it takes).

    A refused comment is shown again at the form (the action's #comment-form), its error above the box; a
    reload or a bookmark of this address (a GET) goes back to the project's comments."""
    plan = plan_for_user(request.user, code, VIEW)
    project = project_of(plan, pk)
    if request.method == "GET":
        return redirect(f"{project_url(plan, project)}#comments")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_create(project=project, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(f"{project_url(plan, project)}#comments")
    return _detail(request, plan, project, comment_form=form)


def project_url(plan, project) -> str:
    return reverse("plan-project", kwargs={"code": plan.code, "pk": project.pk})
