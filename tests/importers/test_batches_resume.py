"""Nothing asked of an import waits for ever: what the broker never got, or a killed worker left half-done, is
handed over again by importers.batches.batches_resume, and a batch is never run twice at once.

The broker outage itself, for real, is in tests/test_outages.py (PostgreSQL run)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from importers import batches
from importers.batches import batch_confirm, batch_create, batch_request_preview, batch_run, batches_resume
from importers.models import ImportBatch
from plans.access import SYSTEM
from projects.models import Project
from tests.importers.helpers import annex_sheet, project_row, write_xlsx

pytestmark = pytest.mark.django_db
Status = ImportBatch.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def queued(monkeypatch):
    """The tasks handed to the broker, kept instead of run (the broker is up but no worker takes them yet)."""
    sent = []
    monkeypatch.setattr(batches, "enqueue", lambda task, batch_id, on_failure=None: sent.append((task, batch_id)))
    return sent


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses every task, as planportal.background._publish reports it: on_failure() is called."""
    monkeypatch.setattr(batches, "enqueue", lambda task, batch_id, on_failure=None: on_failure())


def _batch(plan, tmp_path, name="附表.xlsx"):
    path = write_xlsx(tmp_path / name, {"2021年": annex_sheet(2021, [project_row(1, "续跑项目", 2021, "基础设施类", 1, 1, 0)])})
    with open(path, "rb") as handle:
        return batch_create(plan=plan, uploads=[(name, handle)], user=SYSTEM)


def _age(batch, **fields):
    ImportBatch.objects.filter(pk=batch.pk).update(**{k: timezone.now() - v for k, v in fields.items()})


def test_a_preview_the_broker_never_got_is_handed_over_again(plan, tmp_path, broker_down, monkeypatch):
    batch = _batch(plan, tmp_path)
    batch_request_preview(batch=batch, user=SYSTEM)
    batch.refresh_from_db()
    assert batch.status == Status.UPLOADED and batch.queued_at is None  # the refusal cleared the mark
    sent = []
    monkeypatch.setattr(batches, "enqueue", lambda task, batch_id, on_failure=None: sent.append((task, batch_id)))
    assert batches_resume() == 0  # just uploaded: the page's own request may still be on its way
    _age(batch, created_at=timedelta(minutes=2))
    assert batches_resume() == 1
    assert sent == [("importers.preview_batch", batch.pk)]
    assert ImportBatch.objects.get(pk=batch.pk).queued_at is not None
    assert batches_resume() == 0  # queued just now: not sent again while it waits its turn


def test_a_queued_task_that_waits_long_is_sent_again(plan, tmp_path, queued):
    batch = _batch(plan, tmp_path)
    batch_request_preview(batch=batch, user=SYSTEM)
    _age(batch, created_at=timedelta(minutes=10), queued_at=batches.RESEND - timedelta(seconds=5))
    assert batches_resume() == 0
    _age(batch, queued_at=batches.RESEND + timedelta(seconds=5))
    assert batches_resume() == 1
    assert queued == [("importers.preview_batch", batch.pk)] * 2


def test_an_import_asked_for_while_the_broker_was_down_runs_when_resumed(plan, tmp_path, broker_down, monkeypatch):
    batch = _batch(plan, tmp_path)
    batch_run(batch.pk, dry_run=True)
    assert batch_confirm(batch=batch, user=SYSTEM)  # the administrator's click is kept
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED and batch.import_requested_at and batch.queued_at is None
    monkeypatch.setattr(batches, "enqueue", lambda task, batch_id, on_failure=None: batch_run(
        batch_id, dry_run=task == batches.PREVIEW_TASK))
    _age(batch, import_requested_at=timedelta(minutes=2))
    assert batches_resume() == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.IMPORTED
    assert Project.objects.filter(plan=plan, name="续跑项目").count() == 1
    assert batches_resume() == 0  # imported: nothing left to hand over


def test_a_previewed_batch_nobody_asked_to_import_is_left_alone(plan, tmp_path, queued):
    batch = _batch(plan, tmp_path)
    batch_run(batch.pk, dry_run=True)
    _age(batch, created_at=timedelta(days=1))
    assert batches_resume() == 0 and queued == []


def test_a_run_in_progress_is_not_run_twice_and_a_dead_one_is_taken_over(plan, tmp_path, queued, settings):
    batch = _batch(plan, tmp_path)
    batch_run(batch.pk, dry_run=True)
    batch_confirm(batch=batch, user=SYSTEM)
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.IMPORTING, started_at=timezone.now())
    # A second delivery of the same task while the first runs: it does not claim the batch.
    assert batch_run(batch.pk, dry_run=False) is None
    queued.clear()
    assert batches_resume() == 0
    # Its worker died: after the visibility timeout no live run can still be going.
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    _age(batch, started_at=timedelta(seconds=timeout + 1))
    assert batches_resume() == 1 and queued == [("importers.import_batch", batch.pk)]
    report = batch_run(batch.pk, dry_run=False)
    assert report is not None and not report.rejected
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.IMPORTED
    assert Project.objects.filter(plan=plan, name="续跑项目").count() == 1


def test_a_batch_whose_files_are_gone_is_not_resumed(plan, tmp_path, queued):
    batch = _batch(plan, tmp_path)
    _age(batch, created_at=timedelta(minutes=5))
    ImportBatch.objects.filter(pk=batch.pk).update(files_removed_at=timezone.now())
    assert batches_resume() == 0
