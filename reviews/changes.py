"""What changed in a year since its last review: budget and project history, field by field.

A constant number of queries whatever the number of budgets or changes: the
records, their predecessors, the names they point to, each fetched in one go.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from funding.fields import WanYuanField
from funding.models import AnnualBudget
from planportal.lib.money import format_wan
from plans.models import PlanYear
from projects.models import Project

LIMIT = 200
# Bookkeeping that changes on every save and tells a reader nothing.
IGNORED_FIELDS = {"version", "created_at", "updated_at"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: datetime
    who: str
    what: str  # "budget" / "project" label, e.g. 预算：某项目
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[FieldChange] = field(default_factory=list)


def _with_previous(history_qs):
    """Annotate each record with the history_id of the record before it (same object)."""
    model = history_qs.model
    previous = model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    return history_qs.annotate(prev_history_id=Subquery(previous.values("history_id")[:1]))


def _display(model, name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if isinstance(model_field, WanYuanField):
        return format_wan(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _records(history_qs, limit: int) -> tuple[list, dict]:
    records = list(_with_previous(history_qs).select_related("history_user").order_by("-history_date", "-history_id")
                   [:limit])
    prev_ids = [r.prev_history_id for r in records if r.prev_history_id]
    previous = history_qs.model.objects.in_bulk(prev_ids) if prev_ids else {}
    return records, previous


def _related_names(pairs: list[tuple]) -> dict:
    """{(model, pk): name} for every (model, pk) a diff points to; one query per related model."""
    wanted: dict = {}
    for model, pk in pairs:
        wanted.setdefault(model, set()).add(pk)
    names = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = str(obj.year) if isinstance(obj, PlanYear) else str(obj)
    return names


def changes_since(plan_year: PlanYear, since: datetime | None, limit: int = LIMIT) -> dict:
    """{"changes": [Change…] newest first, at most `limit`, "count": all changes since `since`}."""
    budgets = AnnualBudget.history.filter(plan_year_id=plan_year.pk)
    projects = Project.history.filter(
        id__in=AnnualBudget.objects.filter(plan_year_id=plan_year.pk).values("project_id"))
    if since is not None:
        budgets, projects = budgets.filter(history_date__gt=since), projects.filter(history_date__gt=since)
    count = budgets.count() + projects.count()
    if not count:
        return {"changes": [], "count": 0, "limit": limit}
    budget_records, budget_prev = _records(budgets, limit)
    project_records, project_prev = _records(projects, limit)

    diffs, pairs = [], []
    for records, previous, model in ((budget_records, budget_prev, AnnualBudget),
                                     (project_records, project_prev, Project)):
        for record in records:
            prev = previous.get(record.prev_history_id)
            delta = []
            if record.history_type == "~" and prev is not None:
                delta = [c for c in record.diff_against(prev, excluded_fields=IGNORED_FIELDS).changes]
                for change in delta:
                    model_field = model._meta.get_field(change.field)
                    if model_field.is_relation:
                        pairs += [(model_field.related_model, v) for v in (change.old, change.new) if v is not None]
            diffs.append((record, model, delta))
    pairs += [(Project, r.project_id) for r in budget_records]
    names = _related_names(pairs)

    changes = []
    for record, model, delta in diffs:
        if model is AnnualBudget:
            project = names.get((Project, record.project_id), f"#{record.project_id}")
            what = _("Budget: %(project)s") % {"project": project}
        else:
            what = _("Project: %(name)s") % {"name": record.name}
        user = record.history_user
        changes.append(Change(
            when=record.history_date,
            who=(user.get_full_name() or user.get_username()) if user else "—",
            what=what,
            kind=record.history_type,
            fields=[FieldChange(str(model._meta.get_field(c.field).verbose_name),
                                _display(model, c.field, c.old, names), _display(model, c.field, c.new, names))
                    for c in delta],
        ))
    changes.sort(key=lambda c: c.when, reverse=True)
    return {"changes": changes[:limit], "count": count, "limit": limit}
