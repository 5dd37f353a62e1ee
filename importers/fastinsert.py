"""Bulk inserts with their history rows, fast on PostgreSQL.

The ORM's bulk_create spends most of its time preparing each value of each
object; an import of 10,000 yearly rows writes over 20,000 rows (budgets,
projects and a history row for each). On PostgreSQL the rows are streamed with
COPY instead (psycopg formats each value in C), with ids taken from the
table's sequence first so the caller gets them back, and their history rows
are copied by the database itself (INSERT … SELECT of the rows just written).
Elsewhere (SQLite on a laptop) the ORM path is used, through
django-simple-history's own bulk helper.

History rows are written here explicitly because signal-based history does
not see bulk writes.
"""

from django.db import connection
from simple_history.utils import bulk_create_with_history

from funding.fields import WanYuanField
from planportal.lib.money import to_yuan


def _converter(field):
    """What one column's Python value becomes for COPY, or None when psycopg's own adapter takes it as it is."""
    if isinstance(field, WanYuanField):
        return lambda v: None if v is None else to_yuan(v)  # 万元 → the integer yuan the column stores
    return None


def _fields(model, skip=()):
    return [f for f in model._meta.concrete_fields if f.attname not in skip]


def _next_ids(table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, fields, rows) -> None:
    """rows: lists of Python values in the order of `fields` (money in 万元: converted to yuan here).

    psycopg's write_row formats and escapes each value in C (psycopg[binary]); only money is converted here."""
    converters = [(i, c) for i, c in enumerate(_converter(f) for f in fields) if c is not None]
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        # The Django cursor wraps psycopg's; COPY is psycopg's own API.
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                for index, convert in converters:
                    row[index] = convert(row[index])
                write_row(row)


def _copy_history(model, ids: list[int], *, user, reason: str, now) -> None:
    """A "+" history row for each of `ids`, copied by the database from the rows just inserted (no second
    trip of every value through Python)."""
    history = model.history.model
    own = {"history_date": now, "history_change_reason": reason, "history_type": "+",
           "history_user_id": user.pk if user is not None else None}
    quote = connection.ops.quote_name
    columns, selected, params = [], [], []
    for field in _fields(history, skip={"history_id"}):  # history_id: the table's own sequence
        columns.append(quote(field.column))
        if field.attname in own:
            selected.append("%s")
            params.append(own[field.attname])
        else:
            selected.append(quote(model._meta.get_field(field.name).column))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
            f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = ANY(%s) "
            f"ORDER BY {quote(model._meta.pk.column)}", [*params, ids])


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
    _copy_history(model, ids, user=user, reason=reason, now=now)
    return ids
