"""`manage.py backup` and `manage.py restore`: every table the backup covers comes back exactly, and a
damaged, hostile or mismatched file is refused with a message, leaving the database and MEDIA_ROOT as
they were.

The round trip is checked on the tables themselves (SELECT * of every covered table, before and after
flush + restore), so nothing the models do not show (auto_now columns, history rows, hashes) can slip.
"""

import hashlib
import io
import json
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from funding.models import AnnualBudget
from funding.services import budget_create, budget_update
from indicators.models import DerivedValue, IndicatorValue
from indicators.services import indicator_value_set
from plans.access import SYSTEM
from portal import backup
from projects.models import Project
from projects.services import project_update
from tests.fuzzing import fuzz_world

TRICKY = [Decimal("99999999.9999"), Decimal("0.0001")]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(media, tmp_path):
    """The fuzz tests' plan with one record of every kind, plus what only a backup needs: exact-edge
    amounts, edits that write history, a group and permissions, an API token, an admin log entry."""
    w = fuzz_world(tmp_path)
    budget_update(budget=w["budget"], user=w["staff"], total_investment=TRICKY[0], beijing_funds=TRICKY[1],
                  local_funds=TRICKY[0] - TRICKY[1])
    project_update(project=w["project"], user=w["staff"], description="改过一次")
    indicator_value_set(indicator=w["indicator"], year=2023, value=TRICKY[0], user=w["staff"], note="上限",
                        evidence_file=SimpleUploadedFile("照片.png", b"\x89PNG not really"))
    indicator_value_set(indicator=w["indicator"], year=2024, value=TRICKY[1], user=SYSTEM)
    group = Group.objects.create(name="档案室")
    group.permissions.add(Permission.objects.get(codename="view_project"))
    w["staff"].groups.add(group)
    w["staff"].user_permissions.add(Permission.objects.get(codename="change_project"))
    Token.objects.create(user=w["staff"])
    LogEntry.objects.create(user=w["superuser"], content_type=ContentType.objects.get_for_model(Project),
                            object_id=str(w["project"].pk), object_repr=str(w["project"])[:200],
                            action_flag=ADDITION, change_message="[]")
    # The edits above had the plan recomputed, which replaced the world's derived values (none to count).
    DerivedValue.objects.create(indicator=w["indicator"], year=None, value=TRICKY[0], rule="test",
                                computed_at=timezone.now())
    return w


def _tables() -> list[str]:
    return sorted({table for model in backup.covered_models() for table in backup.tables_of(model)})


def _natural_columns() -> dict:
    """(table, column) → model, for columns holding content type or permission ids: those rows are
    recreated by migrate with ids of their own, so the comparison names them by natural key."""
    columns = {}
    for model in backup.covered_models():
        owners = [model] + [f.remote_field.through for f in model._meta.local_many_to_many
                            if f.remote_field.through._meta.auto_created]
        for owner in owners:
            for field in owner._meta.concrete_fields:
                if field.is_relation and field.related_model in (ContentType, Permission):
                    columns[(owner._meta.db_table, field.column)] = field.related_model
    return columns


def _dump() -> dict[str, list[tuple]]:
    natural = {model: {o.pk: o.natural_key() for o in model.objects.select_related()}
               for model in (ContentType, Permission)}
    columns_by_id = _natural_columns()
    implicit = {f.remote_field.through._meta.db_table for m in backup.covered_models()
                for f in m._meta.local_many_to_many if f.remote_field.through._meta.auto_created}
    dump = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [d[0] for d in cursor.description]
            rows = []
            for row in cursor.fetchall():
                values = []
                for name, value in zip(names, row):
                    if table in implicit and name == "id":
                        continue  # an implicit many-to-many row's own id means nothing and is not kept
                    model = columns_by_id.get((table, name))
                    values.append(natural[model][value] if model and value is not None else value)
                rows.append(tuple(values))
            dump[table] = sorted(rows, key=repr)
    return dump


def _backup(tmp_path) -> Path:
    path = tmp_path / "planportal.zip"
    call_command("backup", "-o", str(path))
    return path


def _empty_database() -> None:
    """Every covered table emptied inside the test's transaction: cheaper than flush for the tests of
    refusals (the round trip flushes for real), which restore into a savepoint and roll back."""
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _rewrite(source: Path, target: Path, *, manifest=None, members=None) -> Path:
    """A copy of a backup with its manifest changed by `manifest(m)` and members replaced or added."""
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(contents[backup.MANIFEST])
    if manifest:
        manifest(data)
    contents[backup.MANIFEST] = json.dumps(data).encode()
    contents.update(members or {})
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return target


def _empty() -> bool:
    return not any(model._base_manager.exists() for model in backup.covered_models())


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else []


def test_every_model_is_backed_up_or_left_out_with_a_reason():
    covered, left_out = set(backup.covered_models()), backup.excluded_models()
    assert covered.isdisjoint(left_out)
    assert covered | set(left_out) == set(apps.get_models())
    assert all(left_out.values())
    assert set(backup.EXCLUDED) <= {m._meta.label_lower for m in apps.get_models()}, "a stale EXCLUDED entry"
    # The project's own apps are backed up whole: leaving one of their models out needs a reason here.
    ours = [m for m in apps.get_models() if Path(m._meta.app_config.path).parent == django_settings.BASE_DIR
            and not m._meta.proxy]
    assert {m._meta.app_label for m in ours} >= {"plans", "projects", "funding", "rollups", "reviews"}
    assert {m._meta.label_lower for m in ours} - {m._meta.label_lower for m in covered} == set()
    assert {m._meta.label for m in covered} >= {"auth.User", "auth.Group", "plans.PlanMembership",
                                                "projects.HistoricalProject", "admin.LogEntry"}


@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_every_covered_table_exactly(world, media, settings, tmp_path):
    empty = [m._meta.label_lower for m in backup.covered_models() if not m._base_manager.exists()]
    assert not empty, f"the world has no rows of {empty}: give it some (tests/fuzzing.py or here) so they are checked"
    before, files_before = _dump(), {p: p.read_bytes() for p in _files(media)}
    path = _backup(tmp_path)

    call_command("flush", "--noinput", verbosity=0)  # also restarts PostgreSQL's sequences at 1
    # Migrate gives a content type (and its permissions) a new id: the restore must find them by name.
    old_id = ContentType.objects.get_for_model(Project).pk
    ContentType.objects.filter(app_label="projects", model="project").delete()
    ContentType.objects.clear_cache()
    call_command("migrate", "--noinput", verbosity=0)
    assert ContentType.objects.get_for_model(Project).pk != old_id
    settings.MEDIA_ROOT = media = tmp_path / "elsewhere"  # another machine: the files come from the backup
    call_command("restore", str(path))

    after = _dump()
    for table in _tables():
        assert after[table] == before[table], table
    assert {p.relative_to(media): p.read_bytes() for p in _files(media)} == {
        p.relative_to(tmp_path / "media"): content for p, content in files_before.items()}
    budget = AnnualBudget.objects.get(pk=world["budget"].pk)
    assert (budget.total_investment, budget.beijing_funds) == tuple(TRICKY)
    assert sorted(IndicatorValue.objects.filter(year__in=[2023, 2024]).values_list("value", flat=True)) == \
        sorted(TRICKY)
    # The ids came with the rows: new rows must not collide with them (PostgreSQL's sequences).
    project = Project.objects.get(pk=world["project"].pk)
    new = budget_create(project=project, year=2024, user=SYSTEM, total_investment=Decimal("1"))
    assert new.pk > max(pk for pk in AnnualBudget.objects.exclude(pk=new.pk).values_list("pk", flat=True))
    assert new.history.count() == 1


@pytest.mark.django_db
def test_a_restore_refuses_a_database_that_holds_data(world, tmp_path):
    path = _backup(tmp_path)
    before = _dump()
    with pytest.raises(CommandError, match="恢复只能载入空数据库"):
        call_command("restore", str(path))
    assert _dump() == before


@pytest.mark.django_db
def test_damaged_and_foreign_files_are_refused_and_change_nothing(world, settings, tmp_path):
    good = _backup(tmp_path)
    _empty_database()
    settings.MEDIA_ROOT = media = tmp_path / "restored-media"
    last = backup.covered_models()[-1]  # every other table is loaded, then rolled back
    with zipfile.ZipFile(good) as archive:
        lines = archive.read(backup.data_member(last)).splitlines(keepends=True)
    some_file = json.loads(zipfile.ZipFile(good).read(backup.MANIFEST))["media"][0]["name"]
    bad = {
        "truncated": good.read_bytes()[: good.stat().st_size // 2],
        "random": random.Random(1).randbytes(4096),
        "empty": b"",
        "no manifest": _zip({"data/plans.plan.jsonl": b"{}\n"}),
        "another format": _zip({backup.MANIFEST: b'{"format": "something-else"}'}),
        "a row short": _rewrite(good, tmp_path / "short.zip",
                                members={backup.data_member(last): b"".join(lines[:-1])}).read_bytes(),
        "a row edited": _rewrite(good, tmp_path / "edited.zip", members={
            backup.data_member(last): b"".join(lines[:-1]) + lines[-1].replace(b'"pk": ', b'"pk": 9')}).read_bytes(),
        "a file altered": _rewrite(good, tmp_path / "altered.zip",
                                   members={backup.MEDIA_PREFIX + some_file: b"changed"}).read_bytes(),
        "a row of another model": _rewrite(good, tmp_path / "other.zip", members={
            backup.data_member(last): lines[0].replace(last._meta.label_lower.encode(), b"sessions.session")
        }).read_bytes(),
    }
    for what, content in bad.items():
        path = tmp_path / f"bad-{what}.zip"
        path.write_bytes(content)
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(path))
        assert str(path) in str(refused.value), what
        assert _empty(), what
        assert _files(media) == [], what
    call_command("restore", str(good))  # and the good one still loads
    assert Project.objects.filter(pk=world["project"].pk).exists()


@pytest.mark.django_db
def test_media_names_cannot_leave_media_root(world, settings, tmp_path):
    good = _backup(tmp_path)
    _empty_database()
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    for name in ["../evil", "/tmp/evil", "imports/../../evil", "imports/./evil", "C:evil", "imports\\..\\evil"]:
        def add(manifest, name=name):  # size and SHA-256 right: only the name is wrong
            manifest["media"].append({"name": name, "size": 4, "sha256": hashlib.sha256(b"evil").hexdigest()})
        path = _rewrite(good, tmp_path / "hostile.zip", manifest=add,
                        members={backup.MEDIA_PREFIX + name: b"evil", "../evil": b"evil"})
        with pytest.raises(CommandError, match="evil"):
            call_command("restore", str(path))
        assert _empty()
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()
    assert _files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_restore_refuses_a_file_of_other_migrations(world, tmp_path):
    good = _backup(tmp_path)
    _empty_database()

    def newer(manifest):
        manifest["migrations"]["plans"].append("0099_future")

    with pytest.raises(CommandError, match="0099_future"):
        call_command("restore", str(_rewrite(good, tmp_path / "newer.zip", manifest=newer)))
    assert _empty()


@pytest.mark.django_db
def test_a_backup_never_overwrites_a_file(plan, tmp_path):
    path = tmp_path / "existing.zip"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="existing.zip"):
        call_command("backup", "-o", str(path))
    assert path.read_bytes() == b"keep me"
    assert list(tmp_path.iterdir()) == [path]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
