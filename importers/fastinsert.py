"""Bulk inserts with their history rows, fast on PostgreSQL.

The ORM's bulk_create spends most of its time preparing each value of each
object; an import of 10,000 yearly rows writes over 20,000 rows (budgets,
projects and a history row for each). On PostgreSQL the rows are streamed with
COPY instead, with ids taken from the table's sequence first so the caller
gets them back. Elsewhere (SQLite on a laptop) the ORM path is used, through
django-simple-history's own bulk helper.

History rows are written here explicitly because signal-based history does
not see bulk writes.
"""

import functools
from datetime import datetime

from django.db import connection, models
from simple_history.utils import bulk_create_with_history

from funding.fields import WanYuanField
from planportal.lib.money import to_yuan

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _formatter(field):
    """A fast to-COPY-text function for one column, chosen once per column rather than per value."""

    if isinstance(field, WanYuanField):
        return lambda v: "\\N" if v is None else str(to_yuan(v))
    if isinstance(field, (models.IntegerField, models.ForeignKey, models.AutoField)):
        return lambda v: "\\N" if v is None else str(v)
    if isinstance(field, (models.CharField, models.TextField)):
        return lambda v: "\\N" if v is None else v.translate(_ESCAPES)
    if isinstance(field, models.DateTimeField):
        # Every row of one write carries the same timestamp: format it once.
        return functools.lru_cache(maxsize=4)(_text)
    return _text


def _fields(model, skip=()):
    return [f for f in model._meta.concrete_fields if f.attname not in skip]


def _next_ids(table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, fields, rows) -> None:
    """rows: lists of Python values in the order of `fields` (money in 万元: converted to yuan here)."""
    formatters = [_formatter(f) for f in fields]
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        # The Django cursor wraps psycopg's; COPY is psycopg's own API.
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            lines = []
            for row in rows:
                lines.append("\t".join([fmt(value) for fmt, value in zip(formatters, row)]))
                if len(lines) >= 1000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")


def create_with_history(model, rows: list[dict], *, user, reason: str, now) -> list[int]:
    """Insert `rows` (dicts of attname → value) and a "+" history row for each; returns their ids.

    auto_now / auto_now_add fields get `now`; the history rows are attributed to
    `user` and say `reason` (the import and its files).
    """
    if not rows:
        return []
    stamped = {f.attname for f in model._meta.concrete_fields
               if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    for row in rows:
        for name in stamped:
            row[name] = now
    if connection.vendor != "postgresql":
        objs = bulk_create_with_history([model(**row) for row in rows], model, batch_size=500, default_user=user,
                                        default_change_reason=reason, default_date=now)
        return [obj.pk for obj in objs]
    pk = model._meta.pk
    ids = _next_ids(model._meta.db_table, pk.column, len(rows))
    for row, new_id in zip(rows, ids):
        row[pk.attname] = new_id
    fields = _fields(model)
    for row in rows:  # what the ORM would have filled in: every field's default
        for field in fields:
            if field.attname not in row:
                row[field.attname] = field.get_default()
    _copy(model._meta.db_table, fields, ([row[f.attname] for f in fields] for row in rows))

    history = model.history.model
    h_fields = _fields(history)
    own = {"history_date": now, "history_change_reason": reason, "history_type": "+",
           "history_user_id": user.pk if user is not None else None}
    history_ids = iter(_next_ids(history._meta.db_table, "history_id", len(rows)))
    _copy(history._meta.db_table, h_fields, (
        [next(history_ids) if f.attname == "history_id" else own[f.attname] if f.attname in own
         else row.get(f.attname) for f in h_fields]
        for row in rows
    ))
    return ids
