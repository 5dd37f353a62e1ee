"""What changed on a project and its budgets, as people read it: who, when, field old → new, why.

Built from django-simple-history records. Each record is compared with the one
before it of the same object (`record.diff_against(previous)`); the previous
records come from the same query, so a long history costs a fixed number of
queries. Ids of categories, units, places and years are shown by name.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from funding.models import AnnualBudget
from planportal.lib.money import format_wan
from plans.models import Category, PlanYear
from projects.models import ImplementingUnit, Place, Project

PROJECT_SHOWN = ("name", "nature", "category", "unit", "location_text", "township", "village", "description",
                 "status")
BUDGET_SHOWN = ("plan_year", "serial_no", "nature", "total_investment", "beijing_funds", "local_funds",
                "actual_beijing_funds", "actual_local_funds", "scale_and_content", "beijing_funds_use")
_LONG_TEXT = 120


@dataclass
class Change:
    label: str
    old: str
    new: str
    name: str = ""  # the model field
    then: object = None  # raw stored values (ids for related rows, the year for plan_year)
    now: object = None
    yours_kept: bool = False  # in a conflict: the user's own entry stays in the form for this field


@dataclass
class Entry:
    when: datetime
    who: str
    subject: str  # "project" or "2023 budget"
    kind: str  # "+", "~", "-"
    reason: str
    changes: list[Change] = field(default_factory=list)
    values: list[Change] = field(default_factory=list)  # for "+": what it was created with

    @property
    def created(self) -> bool:
        return self.kind == "+"

    @property
    def deleted(self) -> bool:
        return self.kind == "-"


class Names:
    """Shows stored values: names for ids, 万元 with separators, choice labels; loaded once per plan."""

    def __init__(self, plan):
        self.related = {
            "category": dict(Category.objects.filter(plan=plan).values_list("pk", "name_zh")),
            "unit": dict(ImplementingUnit.objects.filter(plan=plan).values_list("pk", "name")),
            "township": dict(Place.objects.filter(plan=plan).values_list("pk", "name")),
            "plan_year": dict(PlanYear.objects.filter(plan=plan).values_list("pk", "year")),
        }
        self.related["village"] = self.related["township"]

    def show(self, model, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        if name in self.related:
            return str(self.related[name].get(value, f"#{value}"))
        model_field = model._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, Decimal):
            return format_wan(value)
        text = str(value)
        return text if len(text) <= _LONG_TEXT else text[:_LONG_TEXT] + "…"

    def label(self, model, name: str) -> str:
        return capfirst(str(model._meta.get_field(name).verbose_name))


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def _who(record) -> str:
    user = record.history_user
    return user.get_username() if user is not None else _("(unknown)")


def _entries(records, model, shown, subject_of, names: Names) -> list[Entry]:
    entries = []
    previous_of = {}
    for record in records:  # oldest first
        previous = previous_of.get(record.id)
        entry = Entry(when=record.history_date, who=_who(record), subject=subject_of(record),
                      kind=record.history_type, reason=record.history_change_reason or "")
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, included_fields=shown)  # ids of related rows, no queries
            by_name = {change.field: change for change in delta.changes}
            for name in shown:  # in the form's order
                change = by_name.get(name)
                if change is not None:
                    entry.changes.append(Change(names.label(model, name), names.show(model, name, change.old),
                                                names.show(model, name, change.new)))
        elif record.history_type == "+":
            for name in shown:
                value = getattr(record, _attname(model, name))
                if value not in (None, ""):
                    entry.values.append(Change(names.label(model, name), "", names.show(model, name, value)))
        previous_of[record.id] = record
        if entry.kind != "~" or entry.changes:
            entries.append(entry)
    return entries


def project_history(project: Project) -> list[Entry]:
    """Every change of the project and of its budgets (also deleted ones), newest first."""
    names = Names(project.plan)
    order = ("history_date", "history_id")
    project_records = project.history.select_related("history_user").order_by(*order)
    budget_records = (AnnualBudget.history.filter(project_id=project.pk).select_related("history_user")
                      .order_by(*order))

    def budget_subject(record):
        return _("%(year)s budget") % {"year": names.related["plan_year"].get(record.plan_year_id, "?")}

    entries = _entries(project_records, Project, PROJECT_SHOWN, lambda record: _("project"), names)
    entries += _entries(budget_records, AnnualBudget, BUDGET_SHOWN, budget_subject, names)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


@dataclass
class Conflict:
    """What someone else changed since the user opened the form, from the history."""

    who: str
    when: datetime | None
    changes: list[Change]  # field: when the user opened the form → now


def conflict_for(current, opened_version: int, shown_fields) -> Conflict:
    """`current` is the record as stored now; `opened_version` the version the user's form was built from."""
    model = type(current)
    records = current.history.select_related("history_user").order_by("-history_date", "-history_id")
    latest = records.first()
    opened = records.filter(version=opened_version).first()
    names = Names(current.plan if model is Project else current.project.plan)
    changes = []
    if opened is not None:
        for name in shown_fields:
            attname = _attname(model, name)
            then, now = getattr(opened, attname), getattr(current, attname)
            if then != now:
                raw = names.related["plan_year"].get if name == "plan_year" else (lambda value: value)
                changes.append(Change(names.label(model, name), names.show(model, name, then),
                                      names.show(model, name, now), name=name, then=raw(then), now=raw(now)))
    return Conflict(who=_who(latest) if latest else _("(unknown)"), when=latest.history_date if latest else None,
                    changes=changes)
