"""Uploads are refused by size before they are stored, deleted when their batch ends without an import,
expire after PLANPORTAL_UPLOAD_RETENTION_DAYS, and messages name the uploaded file, never the stored one."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from importers.batches import (
    UploadTooLarge,
    batch_cancel,
    batch_confirm,
    batch_create,
    batch_run,
    purge_uploads,
)
from importers.forms import UploadForm
from importers.models import ImportBatch, ImportBatchFile
from planportal.celery import app
from plans.access import SYSTEM
from projects.models import Project
from tests.importers.helpers import (
    ANNEX_HEADER,
    annex_sheet,
    project_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the file deletions) as a real request or task would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def stored_files(media) -> list[Path]:
    return sorted(p for p in Path(media).rglob("*") if p.is_file())


def good_workbook(tmp_path, name="附表2021.xlsx"):
    return write_xlsx(tmp_path / name, {"2021年": annex_sheet(2021, [project_row(1, "好项目", 2021, "基础设施类", 1, 1, 0)])})


def bad_workbook(tmp_path, name="附表2021.xlsx"):
    return write_xlsx(tmp_path / name, {"2021年": annex_sheet(2021, [project_row(1, "坏项目", 2029, "基础设施类", 1, 1, 0)])})


def create(plan, path, name=None):
    with open(path, "rb") as handle:
        return batch_create(plan=plan, uploads=[(name or Path(path).name, handle)], user=SYSTEM)


# ---------------------------------------------------------------- the size limit
def test_the_upload_form_refuses_a_file_over_the_setting(plan, settings, media):
    settings.PLANPORTAL_MAX_UPLOAD_BYTES = 2 * 2**20
    big = SimpleUploadedFile("大附表.xlsx", b"x" * (2 * 2**20 + 1))
    form = UploadForm({"plan": plan.pk}, {"files": [big]}, user=SYSTEM)
    form.fields["plan"].queryset = type(plan).objects.all()
    assert not form.is_valid()
    (message,) = form.errors["files"]
    assert "大附表.xlsx" in message and "2.1 MB" in message and "2 MB" in message
    ok = SimpleUploadedFile("附表.xlsx", b"x" * (2 * 2**20))
    form = UploadForm({"plan": plan.pk}, {"files": [ok]}, user=SYSTEM)
    form.fields["plan"].queryset = type(plan).objects.all()
    assert form.is_valid(), form.errors
    assert stored_files(media) == []


def test_batch_create_refuses_before_storing(plan, settings, media, tmp_path):
    settings.PLANPORTAL_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(b"a," * 600)
    with pytest.raises(UploadTooLarge) as refused:
        create(plan, path)
    (message,) = refused.value.messages
    assert message.code == "file_too_large" and message.sheet == "big.csv"
    assert "big.csv" in message.text("zh") and "upload limit" in message.text("en")
    assert ImportBatch.objects.count() == 0 and stored_files(media) == []


def test_the_command_refuses_a_large_file_before_copying_it(plan, settings, media, tmp_path, capsys):
    settings.PLANPORTAL_MAX_UPLOAD_BYTES = 4096
    big = tmp_path / "附表-大.xlsx"
    with open(big, "wb") as handle:
        handle.truncate(60 * 2**20)  # a sparse 60 MB file: nothing may read or copy it
    with pytest.raises(SystemExit) as exited:
        call_command("import_annex", str(big), "--plan", plan.code, "--json")
    assert exited.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert [e["code"] for e in out["errors"]] == ["file_too_large"] and "附表-大.xlsx" in out["errors"][0]["message"]
    assert ImportBatch.objects.count() == 0 and stored_files(media) == []


def test_the_default_limit_is_50_mb(settings):
    assert settings.PLANPORTAL_MAX_UPLOAD_BYTES == 50 * 2**20 or "PLANPORTAL_MAX_UPLOAD_BYTES" in os.environ
    assert settings.PLANPORTAL_UPLOAD_RETENTION_DAYS == 90 or "PLANPORTAL_UPLOAD_RETENTION_DAYS" in os.environ


# ---------------------------------------------------------------- files go when the batch ends
def test_a_dry_run_of_the_command_deletes_its_copy_after_the_report(plan, media, tmp_path, commit, capsys):
    with commit():
        call_command("import_annex", str(good_workbook(tmp_path)), "--plan", plan.code, "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.files_removed_at is not None
    row = batch.files.get()
    assert (row.original_name, row.file.name, len(row.sha256)) == ("附表2021.xlsx", "", 64)  # the trace stays
    assert stored_files(media) == [] and Project.objects.count() == 0
    assert not batch_confirm(batch=batch, user=SYSTEM)  # nothing left to import


def test_an_import_by_the_command_keeps_its_file_and_a_rejected_one_does_not(plan, media, tmp_path, commit):
    with commit():
        call_command("import_annex", str(good_workbook(tmp_path)), "--plan", plan.code)
    kept = ImportBatch.objects.get()
    assert kept.status == ImportBatch.Status.IMPORTED and kept.files_removed_at is None
    assert len(stored_files(media)) == 1 and Path(kept.files.get().file.path).exists()
    with commit(), pytest.raises(SystemExit):
        call_command("import_annex", str(bad_workbook(tmp_path, "坏.xlsx")), "--plan", plan.code)
    rejected = ImportBatch.objects.exclude(pk=kept.pk).get()
    assert rejected.status == ImportBatch.Status.REJECTED and rejected.files_removed_at is not None
    assert stored_files(media) == [Path(kept.files.get().file.path)]


def test_a_rejected_preview_deletes_its_files_at_once(plan, media, tmp_path, commit):
    batch = create(plan, bad_workbook(tmp_path))
    assert len(stored_files(media)) == 1
    with commit():
        batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED and batch.files_removed_at is not None
    assert stored_files(media) == []
    assert batch.preview["errors"][0]["code"] == "year_outside_plan"  # the report stays
    assert batch_run(batch.pk, dry_run=True) is None and batch_run(batch.pk, dry_run=False) is None


def test_a_cancelled_batch_deletes_its_files_and_cannot_be_confirmed(plan, media, tmp_path, commit):
    batch = create(plan, good_workbook(tmp_path))
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED and len(stored_files(media)) == 1
    with commit():
        assert batch_cancel(batch=batch, user=SYSTEM)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and batch.files_removed_at is not None
    assert stored_files(media) == [] and not batch_confirm(batch=batch, user=SYSTEM)


def test_a_previewed_then_imported_batch_keeps_its_files(plan, media, tmp_path, commit):
    batch = create(plan, good_workbook(tmp_path))
    with commit():
        batch_run(batch.pk, dry_run=True)
        batch_run(batch.pk, dry_run=False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.files_removed_at is None
    assert len(stored_files(media)) == 1


# ---------------------------------------------------------------- expiry
def _age(batch, days):
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_purge_deletes_files_older_than_the_retention(plan, settings, media, tmp_path, commit):
    settings.PLANPORTAL_UPLOAD_RETENTION_DAYS = 30
    old = create(plan, good_workbook(tmp_path, "旧.xlsx"))
    batch_run(old.pk, dry_run=True)
    batch_run(old.pk, dry_run=False)
    recent = create(plan, good_workbook(tmp_path, "新.xlsx"))
    running = create(plan, good_workbook(tmp_path, "在跑.xlsx"))
    ImportBatch.objects.filter(pk=running.pk).update(status=ImportBatch.Status.PREVIEWING)
    _age(old, 31), _age(running, 31), _age(recent, 29)
    # A file no batch knows of (its batch was never saved), old and new.
    stray_old = Path(media) / "imports/2020/01/9-abc.xlsx"
    stray_old.parent.mkdir(parents=True)
    stray_old.write_bytes(b"x")
    os.utime(stray_old, (0, 0))
    stray_new = Path(media) / "imports/2020/01/10-def.xlsx"
    stray_new.write_bytes(b"x")
    with commit():
        assert purge_uploads() == 2
    old.refresh_from_db(), recent.refresh_from_db(), running.refresh_from_db()
    assert old.files_removed_at is not None and old.status == ImportBatch.Status.IMPORTED
    assert recent.files_removed_at is None and running.files_removed_at is None
    assert not stray_old.exists() and stray_new.exists()
    left = {p.name for p in stored_files(media)}
    assert left == {Path(recent.files.get().file.name).name, Path(running.files.get().file.name).name, stray_new.name}
    assert ImportBatchFile.objects.get(batch=old).original_name == "旧.xlsx"


def test_the_command_and_the_nightly_task(plan, media, tmp_path, commit, capsys):
    batch = create(plan, good_workbook(tmp_path))
    _age(batch, 5)
    with commit():
        call_command("purge_uploads", "--days", "10")
    assert "Deleted 0 stored uploads." in capsys.readouterr().out
    with commit():
        call_command("purge_uploads", "--days", "3")
    assert "Deleted 1 stored upload." in capsys.readouterr().out and stored_files(media) == []
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "importers.purge_uploads" in schedule and "importers.purge_uploads" in app.tasks
    with commit():
        assert app.tasks["importers.purge_uploads"].apply().get() == 0


# ---------------------------------------------------------------- the uploaded name, never the stored one
def test_csv_messages_name_the_uploaded_file(plan, media, tmp_path):
    rows = [ANNEX_HEADER, ["合计", None, None, None, None, None, None, 10, 10, 0],
            project_row(1, "CSV项目", 2021, "基础设施类", 10, 10, 0),
            project_row(2, "坏金额", 2021, "基础设施类", "十万", 10, 0)]
    batch = create(plan, write_csv(tmp_path / "x.csv", rows), name="附表2021.csv")
    stored = batch.files.get().file.name
    assert "附表" not in stored  # stored as "<batch>-<hash>.csv"
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    error = batch.preview["errors"][0]
    assert (error["code"], error["sheet"], error["row"]) == ("bad_amount", "附表2021.csv", 4)
    text = json.dumps(batch.preview, ensure_ascii=False)
    assert Path(stored).stem not in text and "附表2021.csv" in text


def test_csv_among_several_files_is_named_once(plan, media, tmp_path):
    rows = [ANNEX_HEADER, project_row(1, "坏金额", 2021, "基础设施类", "十万", 10, 0)]
    csv_path = write_csv(tmp_path / "b.csv", rows)
    with open(csv_path, "rb") as first, open(good_workbook(tmp_path), "rb") as second:
        batch = batch_create(plan=plan, uploads=[("乙.csv", first), ("甲.xlsx", second)], user=SYSTEM)
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.preview["errors"][0]["sheet"] == "乙.csv"


def test_an_unexpected_failure_names_the_uploaded_file(plan, media, tmp_path, monkeypatch):
    batch = create(plan, good_workbook(tmp_path))

    def boom(*, files, **kwargs):
        raise FileNotFoundError(f"No such file: {files[0].path}")

    monkeypatch.setattr("importers.batches.annex_import", boom)
    with pytest.raises(FileNotFoundError):
        batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "附表2021.xlsx" in batch.failure and batch.files.get().file.name not in batch.failure


def test_the_upload_form_starts_at_the_only_plan_an_admin_has(plan):
    from plans.services import membership_set
    from tests.factories import PlanFactory, UserFactory

    admin = UserFactory()
    membership_set(plan=plan, member=admin, role="admin", user=SYSTEM)
    field = UploadForm(user=admin).fields["plan"]
    assert field.initial == plan.pk and field.empty_label is None
    assert [label for _value, label in field.choices] == [str(plan)]
    other = PlanFactory()
    membership_set(plan=other, member=admin, role="admin", user=SYSTEM)
    assert UploadForm(user=admin).fields["plan"].empty_label is not None  # two plans: the admin chooses
