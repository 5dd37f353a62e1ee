"""What changed in a year since its last review: budget and project history, field by field.

Built on planportal.history, the one renderer of django-simple-history records.
A constant number of queries whatever the number of budgets or changes: the
records, their predecessors, the names they point to, each fetched in one go.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from funding.models import AnnualBudget
from planportal.history import Change, Display, history_entries, with_previous
from plans.models import PlanYear
from projects.models import Project

LIMIT = 200
# Bookkeeping that changes on every save and tells a reader nothing.
IGNORED_FIELDS = {"version", "created_at", "updated_at"}


@dataclass
class YearChange:
    when: datetime
    who: str
    what: str  # "budget" / "project" label, e.g. 预算：某项目
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[Change] = field(default_factory=list)  # label, old, new


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "—"


def _newest(history_qs, limit: int) -> list:
    return list(with_previous(history_qs).select_related("history_user")
                .order_by("-history_date", "-history_id")[:limit])


def changes_since(plan_year: PlanYear, since: datetime | None, limit: int = LIMIT) -> dict:
    """{"changes": [YearChange…] newest first, at most `limit`, "count": all changes since `since`}."""
    budgets = AnnualBudget.history.filter(plan_year_id=plan_year.pk)
    projects = Project.history.filter(
        id__in=AnnualBudget.objects.filter(plan_year_id=plan_year.pk).values("project_id"))
    if since is not None:
        budgets, projects = budgets.filter(history_date__gt=since), projects.filter(history_date__gt=since)
    count = budgets.count() + projects.count()
    if not count:
        return {"changes": [], "count": 0, "limit": limit}
    budget_records = _newest(budgets, limit)
    display = Display()
    display.want(Project, {record.project_id for record in budget_records})  # loaded with the other names
    entries = history_entries([*budget_records, *_newest(projects, limit)], exclude=IGNORED_FIELDS,
                              display=display, keep_unchanged=True, who=_who)

    changes = []
    for entry in entries[:limit]:
        record = entry.record
        if record.instance_type is AnnualBudget:
            what = _("Budget: %(project)s") % {"project": display.name(Project, record.project_id)}
        else:
            what = _("Project: %(name)s") % {"name": record.name}
        changes.append(YearChange(when=entry.when, who=entry.who, what=what, kind=entry.kind, fields=entry.changes))
    return {"changes": changes, "count": count, "limit": limit}
