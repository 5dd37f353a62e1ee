"""The forms that change a plan's projects and budgets: county staff and plan admins only.

Every view asks plans.access.plan_for_user(…, EDIT) first, so a liaison officer
gets 403 on the form as well as on the save, and another plan's member 404.

No lost updates: an edit form carries the version it was opened at and the service
refuses a save over a newer one (StaleEdit). The form is then shown again with the
user's entries kept, what the other person changed (from the history), and the new
version, so saving again is a deliberate choice. A change to an approved year is
refused (YearLocked) and nothing is saved.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding.models import AnnualBudget
from funding.services import budget_create, budget_delete, budget_update
from planportal.concurrency import StaleEdit
from plans.access import EDIT, plan_for_user
from plans.locks import YearLocked
from portal.project_forms import (
    ACTUAL_FIELDS,
    BUDGET_TEXT_FIELDS,
    PLANNED_FIELDS,
    PROJECT_FIELDS,
    BudgetForm,
    ProjectForm,
    attach_errors,
)
from funding.history import conflict_for
from projects.locks import locked_years_by_project
from projects.services import project_create, project_update, unit_for_spelling
from portal.project_views import project_of, project_url

BUDGET_SHOWN = ("plan_year", *PLANNED_FIELDS, *ACTUAL_FIELDS, *BUDGET_TEXT_FIELDS)
CONFLICT = 409


def _save(form, save, conflict_fields):
    """Run `save()`; on failure put the reason on the form. Returns (saved object, form, conflict)."""
    try:
        with transaction.atomic():
            return save(), form, None
    except StaleEdit as stale:
        conflict = conflict_for(stale.current, form.cleaned_data["version"], conflict_fields)
        return None, form.rebased(stale.current.version, conflict.changes), conflict
    except YearLocked as locked:
        form.add_error(None, locked)
    except ValidationError as error:
        attach_errors(form, error)
    return None, form, None


def _with_unit(plan, form, user) -> dict:
    """The form's changes, with a typed unit spelling resolved to the plan's unit (created when new)."""
    changes = form.changes()
    spelling = form.cleaned_data.get("unit_spelling")
    if spelling:
        changes["unit"], _created = unit_for_spelling(plan=plan, spelling=spelling, user=user)
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request, code):
    plan = plan_for_user(request.user, code, EDIT)
    form = ProjectForm(request.POST or None, plan=plan, creating=True)
    if request.method == "POST" and form.is_valid():
        project, form, _conflict = _save(
            form, lambda: project_create(plan=plan, user=request.user, **_with_unit(plan, form, request.user)), ())
        if project is not None:
            messages.success(request, _("The project “%(name)s” is created.") % {"name": project.name})
            return redirect(project_url(plan, project))
    return render(request, "projects/project_form.html", {"plan": plan, "form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit_view(request, code, pk):
    plan = plan_for_user(request.user, code, EDIT)
    project = project_of(plan, pk)
    conflict = None
    # What an approved year's annex row shows of the project stays (projects.locks): shown, not editable.
    locked_years = sorted(locked_years_by_project([project.pk]).get(project.pk, ()))
    stored = ProjectForm.initial_for(project)
    if request.method == "POST":
        form = ProjectForm(request.POST, plan=plan, initial=stored, locked=bool(locked_years))
        if form.is_valid():
            editing = copy.copy(project)  # the page keeps showing the stored project if the save fails
            saved, form, conflict = _save(form, lambda: project_update(
                project=editing, user=request.user, expected_version=form.cleaned_data["version"],
                **_with_unit(plan, form, request.user)), PROJECT_FIELDS)
            if saved is not None:
                messages.success(request, _("The project is saved."))
                return redirect(project_url(plan, saved))
    else:
        form = ProjectForm(initial=stored, plan=plan, locked=bool(locked_years))
    return render(request, "projects/project_form.html", {
        "plan": plan, "form": form, "project": project, "conflict": conflict, "locked_years": locked_years,
    }, status=CONFLICT if conflict else 200)


@login_required
@require_http_methods(["GET", "POST"])
def budget_create_view(request, code, pk):
    plan = plan_for_user(request.user, code, EDIT)
    project = project_of(plan, pk)
    form = BudgetForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        budget, form, _conflict = _save(
            form, lambda: budget_create(project=project, user=request.user, **form.changes()), ())
        if budget is not None:
            messages.success(request, _("The %(year)s budget is saved.") % {"year": budget.year})
            return redirect(f"{project_url(plan, project)}#budgets")
    return render(request, "projects/budget_form.html", {"plan": plan, "project": project, "form": form})


def _budget_of(project, budget_pk) -> AnnualBudget:
    budget = get_object_or_404(AnnualBudget.objects.select_related("plan_year"), project=project, pk=budget_pk)
    budget.project = project
    return budget


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit_view(request, code, pk, budget_pk):
    plan = plan_for_user(request.user, code, EDIT)
    project = project_of(plan, pk)
    budget = _budget_of(project, budget_pk)
    conflict = None
    if request.method == "POST":
        form = BudgetForm(request.POST, project=project, budget=budget)
        if form.is_valid():
            editing = copy.copy(budget)
            saved, form, conflict = _save(form, lambda: budget_update(
                budget=editing, user=request.user, expected_version=form.cleaned_data["version"],
                **form.changes()), BUDGET_SHOWN)
            if saved is not None:
                messages.success(request, _("The %(year)s budget is saved.") % {"year": saved.year})
                return redirect(f"{project_url(plan, project)}#budgets")
    else:
        form = BudgetForm(initial=BudgetForm.initial_for(budget), project=project, budget=budget)
    return render(request, "projects/budget_form.html", {
        "plan": plan, "project": project, "budget": budget, "form": form, "conflict": conflict,
    }, status=CONFLICT if conflict else 200)


@login_required
@require_http_methods(["GET", "POST"])
def budget_delete_view(request, code, pk, budget_pk):
    plan = plan_for_user(request.user, code, EDIT)
    project = project_of(plan, pk)
    budget = _budget_of(project, budget_pk)
    error = None
    if request.method == "POST":
        try:
            budget_delete(budget=copy.copy(budget), user=request.user)
        except YearLocked as locked:
            error = locked.messages[0]
        else:
            messages.success(request, _("The %(year)s budget is deleted.") % {"year": budget.year})
            return redirect(f"{project_url(plan, project)}#budgets")
    return render(request, "projects/budget_delete.html", {
        "plan": plan, "project": project, "budget": budget, "error": error,
    })
