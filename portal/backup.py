"""The backup file of `manage.py backup` and `manage.py restore`: what it covers and how it is laid out.

One zip file:

    manifest.json              format and app version, the applied migrations of every covered app, per
                               model its row count and SHA-256, per media file its name, size and SHA-256
    data/<app>.<model>.jsonl   the model's rows, one JSON object a line (Django's serializer shape), by pk
    media/<name>               the uploaded files the rows name (annex uploads, indicator evidence)

Every model is covered unless EXCLUDED names it with the reason, so a model added later is backed up
(and its round trip checked by tests/test_backup_restore.py) without anyone remembering to list it.

The rollups app's tables (totals, disagreements, the recompute outbox) are backed up as they are rather
than rebuilt after a restore: they are what users saw and what approved years were signed off against,
a restore stays an exact copy, and a recompute that was waiting at backup time (its outbox row) travels
with them and is picked up by the periodic drain on the new machine.
"""

import hashlib
import json
import posixpath
from contextlib import contextmanager
from datetime import datetime, time
from graphlib import TopologicalSorter
from importlib.metadata import PackageNotFoundError, version

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "planportal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK_ROWS = 2000  # rows fetched per query: memory stays flat however big the tables are

EXCLUDED = {
    "contenttypes.contenttype": "recreated by migrate; admin log entries name theirs by app and model",
    "auth.permission": "recreated by migrate; users and groups name theirs by codename, app and model",
    "sessions.session": "sign-ins: a restored site signs everybody in afresh",
    # django-axes: counts of failed sign-ins and the sign-in log are transient; carried over they
    # would lock people out on the new machine for what they mistyped on the old one.
    "axes.accessattempt": "transient failed sign-in counts (django-axes)",
    "axes.accessattemptexpiration": "transient failed sign-in counts (django-axes)",
    "axes.accessfailurelog": "transient sign-in log (django-axes)",
    "axes.accesslog": "transient sign-in log (django-axes)",
    # Every periodic job is declared in planportal/celery.py; beat writes these rows from it when it starts.
    "django_celery_beat.periodictask": "written by beat from planportal/celery.py's beat_schedule",
    "django_celery_beat.periodictasks": "beat's change marker, rewritten by beat",
    "django_celery_beat.intervalschedule": "written by beat from planportal/celery.py's beat_schedule",
    "django_celery_beat.crontabschedule": "written by beat from planportal/celery.py's beat_schedule",
    "django_celery_beat.solarschedule": "written by beat from planportal/celery.py's beat_schedule",
    "django_celery_beat.clockedschedule": "written by beat from planportal/celery.py's beat_schedule",
}
# Rows migrate creates with ids of its own on each database: a reference to one is written as its
# natural key (app, model[, codename]) and looked up again on restore. Every other reference stays an
# id (a natural key for users would cost a query a row, and their ids are restored as they were).
NATURAL_KEY_MODELS = {"contenttypes.contenttype", "auth.permission"}


def excluded_models() -> dict[type[models.Model], str]:
    """Every installed model the backup leaves out, with the reason."""
    left_out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy:
            left_out[model] = "a proxy: its rows are its concrete model's"
        elif not model._meta.managed:
            left_out[model] = "not managed by migrations"
        elif label in EXCLUDED:
            left_out[model] = EXCLUDED[label]
    return left_out


def covered_models() -> list[type[models.Model]]:
    """The models the backup holds, each after the models it refers to (the order a restore loads them).

    Foreign keys are checked at commit on both databases (deferred), so the order is not needed for
    integrity; it keeps the load readable and a reference to a row always names one already there.
    """
    left_out = excluded_models()
    covered = [m for m in apps.get_models() if m not in left_out]
    graph = {
        model: {
            field.related_model
            for field in model._meta.get_fields()
            if field.concrete and field.is_relation and field.related_model in covered
            and field.related_model is not model
        }
        for model in covered
    }
    return list(TopologicalSorter(graph).static_order())


def tables_of(model) -> list[str]:
    """The model's table and those of its implicit many-to-many tables (a user's groups)."""
    return [model._meta.db_table] + [
        f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]


def data_member(model) -> str:
    return f"data/{model._meta.label_lower}.jsonl"


def media_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def safe_media_name(name) -> bool:
    """A storage name that stays inside MEDIA_ROOT: relative, normalised, no `..`, no backslash or NUL."""
    return (
        isinstance(name, str) and 0 < len(name) <= 500 and "\\" not in name and "\x00" not in name
        and not name.startswith("/") and ":" not in name.split("/", 1)[0]
        and posixpath.normpath(name) == name and not any(part in ("", ".", "..") for part in name.split("/"))
    )


def app_version() -> str:
    try:
        return version("planportal")
    except PackageNotFoundError:
        return "unknown"


def applied_migrations(app_labels) -> dict[str, list[str]]:
    """The migrations applied to this database, per app, for the given apps."""
    applied = {label: [] for label in sorted(app_labels)}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if app_label in applied:
            applied[app_label].append(name)
    return {label: sorted(names) for label, names in applied.items()}


def unapplied_migrations() -> list[str]:
    """Migrations of the installed code this database lacks: its tables are not what the models say."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migration_differences(recorded: dict, current: dict) -> list[str]:
    """Per app, the migrations only the file or only this database has ("plans: +0005_x -0006_y")."""
    differences = []
    for app_label in sorted(set(recorded) | set(current)):
        theirs, ours = set(recorded.get(app_label, ())), set(current.get(app_label, ()))
        if theirs != ours:
            only = [f"+{n}" for n in sorted(theirs - ours)] + [f"-{n}" for n in sorted(ours - theirs)]
            differences.append(f"{app_label}: {' '.join(only)}")
    return differences


@contextmanager
def consistent_snapshot():
    """Read every table as of one moment while the site keeps writing.

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction. SQLite: a deferred read transaction (in WAL
    mode a reader sees one snapshot and blocks no writer); Django's atomic() would BEGIN IMMEDIATE
    (settings: transaction_mode) and hold the write lock, and so every save, for the whole backup.
    """
    if connection.in_atomic_block:  # the caller's transaction already is one snapshot
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if connection.connection.in_transaction:  # read only: nothing to keep
                connection.connection.rollback()
    else:
        with transaction.atomic():
            yield


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps Decimals exact (as strings) but cuts times to milliseconds: keep them all."""

    def default(self, o):
        if isinstance(o, (datetime, time)):
            return o.isoformat()
        return super().default(o)


class RowSerializer(JSONLSerializer):
    """Django's JSON-lines rows: microseconds kept, content types and permissions by natural key."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
        self.rows = 0
        self._natural_keys = {}

    def end_object(self, obj):
        # One write a row (json.dump would write each token separately into the zip stream).
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None
        self.rows += 1

    def handle_fk_field(self, obj, field):
        model = field.remote_field.model
        if model._meta.label_lower not in NATURAL_KEY_MODELS:
            return super().handle_fk_field(obj, field)  # the id
        pk = getattr(obj, field.attname)
        self._current[field.name] = None if pk is None else self._natural_key(model, pk)

    def handle_m2m_field(self, obj, field):
        if not field.remote_field.through._meta.auto_created:
            return  # a through model of its own is a covered model with a file of its own
        model = field.remote_field.model
        pks = sorted(related.pk for related in getattr(obj, field.name).all())  # prefetched by the caller
        natural = model._meta.label_lower in NATURAL_KEY_MODELS
        self._current[field.name] = [self._natural_key(model, pk) if natural else pk for pk in pks]

    def _natural_key(self, model, pk):
        if model not in self._natural_keys:  # a few hundred rows: read once
            self._natural_keys[model] = {o.pk: list(o.natural_key()) for o in model._base_manager.select_related()}
        return self._natural_keys[model][pk]


def rows_of(model):
    """The model's rows in primary-key order, fetched CHUNK_ROWS at a time, with their many-to-many."""
    m2m = [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]
    return model._base_manager.order_by("pk").prefetch_related(*m2m).iterator(chunk_size=CHUNK_ROWS)


class HashingSink:
    """A text stream into a zip member that counts and hashes what it writes, in 64 KiB writes."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size, self._buffer, self._buffered = raw, hashlib.sha256(), 0, [], 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= 65536:
            self.flush()

    def flush(self) -> None:
        data = b"".join(self._buffer)
        self.sha256.update(data)
        self.raw.write(data)
        self.size += len(data)
        self._buffer, self._buffered = [], 0
