"""Who made a change, and what changed, for django-simple-history, also outside a request (API, commands, tasks).

The bottom layer: Django and simple_history only, no project app.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from planportal.lib.money import format_wan


def attribute_to(obj, user, reason: str | None = None) -> None:
    """The next history entry of `obj` names `user` (a real, signed-in user; not SYSTEM) and `reason`."""
    if user is not None and getattr(user, "pk", None) is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    if reason:
        obj._change_reason = reason


# --- Why: the reasons an import writes, stored in Chinese (the record's language), shown in the reader's --------
_IMPORT_REASON = re.compile(r"^导入 (?P<name>.+?)(?:（导入批次 #(?P<batch>\d+)）)?$", re.S)


def import_reason(files: str, batch_id: int | None = None) -> str:
    """What each history entry an import writes says: its files, and its batch when it has one."""
    return f"导入 {files}（导入批次 #{batch_id}）" if batch_id is not None else f"导入 {files}"


def reason_shown(stored: str | None) -> str:
    """A stored reason in the reader's language: an import's is rebuilt from its parts, others as written."""
    match = _IMPORT_REASON.match(stored or "")
    if match is None:
        return stored or ""
    if match["batch"] is None:
        return _("Imported from %(files)s") % {"files": match["name"]}
    return _("Imported from %(files)s (import batch #%(batch)s)") % {"files": match["name"], "batch": match["batch"]}


# --- What changed, as people read it ----------------------------------------------------------------
#
# One renderer for every page that shows django-simple-history records: who, when,
# field old → new. It knows nothing of the project's apps: a related id is shown by
# its row's `history_label()` (or `str()`), a field with `is_money = True` in 万元,
# a choice by its label, long text cut. Names are loaded for all the records at once,
# one query per related model, so a long history costs a fixed number of queries.

EMPTY = "—"
LONG_TEXT = 120  # characters shown of a long text, the "…" included


@dataclass
class Change:
    """One field of a record: its label, old → new as people read them, and the stored values."""

    label: str
    old: str
    new: str
    name: str = ""  # the model field
    then: object = None  # the stored values (ids for related rows; see conflict_for(related_as=…))
    now: object = None
    yours_kept: bool = False  # in a conflict: the user's own entry stays in the form for this field


@dataclass
class Entry:
    """One history record: created ("+"), changed ("~") or deleted ("-"), by whom, with what changed."""

    when: datetime
    who: str
    kind: str  # "+", "~", "-"
    reason: str
    record: object = None  # the historical record itself
    previous: object = None  # the record before it of the same object, if known
    changes: list[Change] = field(default_factory=list)  # "~": the fields that differ from `previous`
    values: list[Change] = field(default_factory=list)  # "+": what it was created with (values_at_creation)
    subject: str = ""  # for the caller: what the record is about ("project", "2023 budget")

    @property
    def user(self):
        return getattr(self.record, "history_user", None)

    @property
    def created(self) -> bool:
        return self.kind == "+"

    @property
    def changed(self) -> bool:
        return self.kind == "~"

    @property
    def deleted(self) -> bool:
        return self.kind == "-"

    def change_of(self, name: str) -> Change | None:
        return next((change for change in self.changes if change.name == name), None)


def username(user) -> str:
    """Who, as the history shows it by default: the username."""
    return user.get_username() if user is not None else _("(unknown)")


def _label_of(obj) -> str:
    label = getattr(obj, "history_label", None)
    return str(label()) if callable(label) else str(obj)


class Display:
    """Stored values as people read them; the related rows they point to are loaded in one go.

    `want()` ids first (the renderer does it for the values it shows), then every
    `name()`/`show()` of them costs no query: `load()` fetches all pending ids with
    one query per related model. An id whose row is gone is shown as "#id".
    """

    def __init__(self):
        self._pending: dict[tuple, set] = defaultdict(set)  # (model, key attname) → values to load
        self._asked: dict[tuple, set] = defaultdict(set)
        self._objects: dict[tuple, object] = {}  # (model, key attname, value) → row

    @staticmethod
    def _key(model, key: str | None) -> tuple:
        return model, key or model._meta.pk.attname

    def want(self, model, values: Iterable, key: str | None = None) -> None:
        """Rows of `model` whose `key` (default: the primary key) is one of `values` will be shown."""
        slot = self._key(model, key)
        self._pending[slot].update(value for value in values if value is not None and value not in self._asked[slot])

    def want_value(self, model, name: str, *values) -> None:
        """The values of `model.name` will be shown: remember the related rows they point to."""
        model_field = model._meta.get_field(name)
        if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
            self.want(model_field.related_model, values, model_field.target_field.attname)

    def load(self) -> None:
        for (model, key), values in list(self._pending.items()):
            values -= self._asked[(model, key)]
            if values:
                for obj in model._base_manager.filter(**{f"{key}__in": values}):
                    self._objects[(model, key, getattr(obj, key))] = obj
                self._asked[(model, key)] |= values
        self._pending.clear()

    def object(self, model, value, key: str | None = None):
        """The row of `model` with that primary key (or `key`), or None when it is gone."""
        slot = self._key(model, key)
        if value not in self._asked[slot]:
            self.want(model, [value], key)
            self.load()
        return self._objects.get((*slot, value))

    def name(self, model, value, key: str | None = None) -> str:
        if value is None:
            return EMPTY
        obj = self.object(model, value, key)
        return _label_of(obj) if obj is not None else f"#{value}"

    def show(self, model, name: str, value) -> str:
        """The stored `value` of field `name` of `model`, as people read it."""
        if value is None or value == "":
            return EMPTY
        model_field = model._meta.get_field(name)
        if model_field.is_relation:
            if model_field.many_to_one or model_field.one_to_one:
                return self.name(model_field.related_model, value, model_field.target_field.attname)
            return str(value)
        if getattr(model_field, "is_money", False):
            return format_wan(value if isinstance(value, Decimal) else Decimal(str(value)))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        text = str(value)
        return text if len(text) <= LONG_TEXT else text[:LONG_TEXT - 1] + "…"

    def label(self, model, name: str) -> str:
        return capfirst(str(model._meta.get_field(name).verbose_name))


def with_previous(history_qs):
    """The records annotated with `prev_history_id`: the record before each one of the same object.

    For a list that does not hold every record (filtered by date, cut to the newest
    n): history_entries() then fetches the missing predecessors in one query.
    """
    model = history_qs.model
    pk_name = model._meta.pk.attname
    object_pk = model.instance_type._meta.pk.attname
    previous = (model._default_manager.filter(**{object_pk: OuterRef(object_pk), f"{pk_name}__lt": OuterRef(pk_name)})
                .order_by(f"-{pk_name}"))
    return history_qs.annotate(prev_history_id=Subquery(previous.values(pk_name)[:1]))


def _object_pk(record):
    return getattr(record, record.instance_type._meta.pk.attname)


def _previous_records(records: list) -> dict:
    """{(history model, history pk): the record before it of the same object} for every record that has one."""
    previous = {}
    by_type = defaultdict(list)
    for record in records:
        by_type[type(record)].append(record)
    for history_model, group in by_type.items():
        if all(hasattr(record, "prev_history_id") for record in group):  # with_previous(): exact, also across a cut
            by_pk = {record.pk: record for record in group}
            missing = {record.prev_history_id for record in group
                       if record.prev_history_id is not None and record.prev_history_id not in by_pk}
            if missing:
                by_pk.update(history_model._default_manager.in_bulk(missing))
            for record in group:
                if record.prev_history_id is not None and record.prev_history_id in by_pk:
                    previous[(history_model, record.pk)] = by_pk[record.prev_history_id]
        else:  # the list holds the whole history of its objects
            last = {}
            for record in sorted(group, key=_oldest_first):
                before = last.get(_object_pk(record))
                if before is not None:
                    previous[(history_model, record.pk)] = before
                last[_object_pk(record)] = record
    return previous


def _oldest_first(record):
    return record.history_date, record.pk if isinstance(record.pk, int) else 0


def _field_order(model, fields) -> dict:
    names = list(fields) if fields is not None else [model_field.name for model_field in model._meta.fields]
    return {name: position for position, name in enumerate(names)}


def _creation_fields(record, fields, exclude) -> list[str]:
    if fields is not None:
        return [name for name in fields if name not in exclude]
    pk_name = record.instance_type._meta.pk.name
    return [model_field.name for model_field in record.tracked_fields
            if model_field.editable and model_field.name != pk_name and model_field.name not in exclude]


def history_entries(records, *, fields: Iterable[str] | None = None, exclude: Iterable[str] = (),
                    display: Display | None = None, values_at_creation: bool = False, keep_unchanged: bool = False,
                    who: Callable = username) -> list[Entry]:
    """The records as entries, newest first; each "~" diffed against the record before it.

    `records`: historical records of one or several models, e.g. a queryset with
    select_related("history_user"); either the whole history of their objects, or
    with_previous() records (then the predecessors are fetched in one query).
    `fields`: only these fields, in this order (default: every tracked field, in the
    model's order); `exclude`: never these. `values_at_creation`: a "+" entry lists the
    non-empty values it was created with. `keep_unchanged`: also a "~" with no visible
    change. `display`: share one to load the names of several calls (and the caller's) together.
    """
    records = list(records)
    display = display if display is not None else Display()
    exclude = set(exclude)
    included = list(fields) if fields is not None else None
    previous_of = _previous_records(records)
    diffs = []
    for record in sorted(records, key=_oldest_first):
        model = record.instance_type
        previous = previous_of.get((type(record), record.pk))
        changed, created_with = [], []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, included_fields=included, excluded_fields=exclude)
            order = _field_order(model, included)
            changed = sorted(((change.field, change.old, change.new) for change in delta.changes),
                             key=lambda change: order.get(change[0], len(order)))
        elif record.history_type == "+" and values_at_creation:
            for name in _creation_fields(record, included, exclude):
                value = getattr(record, model._meta.get_field(name).attname)
                if value not in (None, ""):
                    created_with.append((name, None, value))
        for name, old, new in (*changed, *created_with):
            display.want_value(model, name, old, new)
        diffs.append((record, model, previous, changed, created_with))
    display.load()

    entries = []
    for record, model, previous, changed, created_with in diffs:
        if record.history_type == "~" and not changed and not keep_unchanged:
            continue
        entries.append(Entry(
            when=record.history_date, who=who(record.history_user), kind=record.history_type,
            reason=reason_shown(record.history_change_reason), record=record, previous=previous,
            changes=[Change(display.label(model, name), display.show(model, name, old), display.show(model, name, new),
                            name=name, then=old, now=new) for name, old, new in changed],
            values=[Change(display.label(model, name), "", display.show(model, name, new), name=name, now=new)
                    for name, _old, new in created_with],
        ))
    entries.reverse()  # newest first; records of the same moment: the later one first
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


@dataclass
class Conflict:
    """What someone else changed since the user opened the form, from the history."""

    who: str
    when: datetime | None
    changes: list[Change]  # field: when the user opened the form → now


def conflict_for(current, opened_version: int, shown_fields: Iterable[str], *, related_as: dict | None = None,
                 display: Display | None = None, who: Callable = username) -> Conflict:
    """`current`: the record as stored now (any model with `history` and `version`); `opened_version`:
    the version the user's form was built from; `shown_fields`: the fields the form shows, in its order.

    Each Change has old/new as people read them and then/now as stored, for rebasing
    the form; `related_as={"plan_year": "year"}` gives a related field's then/now as
    that attribute of the row (the year), for a form that takes it instead of the id.
    `opened_version` 0: the form was opened when there was no record (someone else
    entered it first): each field it has is their change from empty.
    """
    model = type(current)
    display = display if display is not None else Display()
    records = current.history.select_related("history_user").order_by("-history_date", "-pk")
    latest = records.first()
    opened = records.filter(version=opened_version).first() if opened_version else None
    differing = []
    if opened is not None or opened_version == 0:
        for name in shown_fields:
            attname = model._meta.get_field(name).attname
            then, now = (getattr(opened, attname) if opened is not None else None), getattr(current, attname)
            if then != now and not (then is None and now == ""):
                differing.append((name, then, now))
                display.want_value(model, name, then, now)
    display.load()

    def stored(name, value):
        if not related_as or name not in related_as or value is None:
            return value
        model_field = model._meta.get_field(name)
        row = display.object(model_field.related_model, value, model_field.target_field.attname)
        return getattr(row, related_as[name]) if row is not None else value

    changes = [Change(display.label(model, name), display.show(model, name, then), display.show(model, name, now),
                      name=name, then=stored(name, then), now=stored(name, now)) for name, then, now in differing]
    return Conflict(who=who(latest.history_user) if latest is not None else _("(unknown)"),
                    when=latest.history_date if latest is not None else None, changes=changes)
