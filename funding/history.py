"""What changed on a project and its budgets, as people read it: who, when, field old → new, why.

Built on planportal.history, the one renderer of django-simple-history records:
each record is compared with the one before it of the same object, and the ids
of categories, units, places and years are shown by name, loaded for all the
records at once, so a long history costs a fixed number of queries.
"""

from django.utils.translation import gettext as _

from funding.models import AnnualBudget
from planportal import history
from planportal.history import Change, Conflict, Display, Entry, history_entries
from plans.models import PlanYear
from projects.models import Project

__all__ = ["BUDGET_SHOWN", "PROJECT_SHOWN", "Change", "Conflict", "Entry", "conflict_for", "project_history"]

PROJECT_SHOWN = ("name", "nature", "category", "unit", "location_text", "township", "village", "description",
                 "status")
BUDGET_SHOWN = ("plan_year", "serial_no", "nature", "total_investment", "beijing_funds", "local_funds",
                "actual_beijing_funds", "actual_local_funds", "scale_and_content", "beijing_funds_use")
# A budget form takes the year, not the id of the plan's year (BudgetForm.form_field_of).
_FORM_VALUES = {"plan_year": "year"}


def project_history(project: Project) -> list[Entry]:
    """Every change of the project and of its budgets (also deleted ones), newest first."""
    project_records = list(project.history.select_related("history_user"))
    budget_records = list(AnnualBudget.history.filter(project_id=project.pk).select_related("history_user"))
    display = Display()
    display.want(PlanYear, {record.plan_year_id for record in budget_records})  # loaded with the other names

    entries = history_entries(project_records, fields=PROJECT_SHOWN, display=display, values_at_creation=True)
    for entry in entries:
        entry.subject = _("project")
    budget_entries = history_entries(budget_records, fields=BUDGET_SHOWN, display=display, values_at_creation=True)
    for entry in budget_entries:
        entry.subject = _("%(year)s budget") % {"year": display.name(PlanYear, entry.record.plan_year_id)}
    entries += budget_entries
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def conflict_for(current, opened_version: int, shown_fields) -> Conflict:
    """What someone else changed on a project or budget since the user opened the form (planportal.history)."""
    return history.conflict_for(current, opened_version, shown_fields, related_as=_FORM_VALUES)
