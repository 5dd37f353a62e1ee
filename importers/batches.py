"""Uploaded annex files as import batches: store, preview, import, with progress people can watch."""

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from importers.models import ImportBatch, ImportBatchFile
from planportal.background import enqueue
from importers.report import ImportReport
from importers.services import ImportFile, annex_import
from plans.access import ADMIN, SYSTEM, history_user, require
from plans.models import Plan

PROGRESS_TTL = 24 * 3600


def _progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def batch_progress(batch_id: int) -> dict:
    return cache.get(_progress_key(batch_id)) or {"stage": "", "done": 0, "total": 0}


def _set_progress(batch_id: int, stage: str, done: int, total: int) -> None:
    cache.set(_progress_key(batch_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)


@transaction.atomic
def batch_create(*, plan: Plan, uploads: list, user) -> ImportBatch:
    """A batch holding copies of the uploaded files (the plan's administrators). `uploads`: (name, binary file) pairs."""
    require(user, plan, ADMIN)
    names = [Path(name).name[:255] for name, _f in uploads]
    batch = ImportBatch.objects.create(plan=plan, uploaded_by=history_user(user), name=", ".join(names)[:500])
    for name, handle in uploads:
        digest = hashlib.sha256()
        size = 0
        handle.seek(0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
        handle.seek(0)
        stored = ImportBatchFile(batch=batch, original_name=Path(name).name[:255], sha256=digest.hexdigest(), size=size)
        stored.file.save(f"{batch.pk}-{digest.hexdigest()[:12]}{Path(name).suffix.lower()[:8]}", File(handle),
                         save=False)
        stored.save()
    return batch


def batch_run(batch_id: int, *, dry_run: bool) -> ImportReport | None:
    """Preview (dry run) or import a batch. Idempotent per state: a finished batch is left alone."""
    batch = ImportBatch.objects.select_related("plan", "uploaded_by").get(pk=batch_id)
    start, wanted = (
        (ImportBatch.Status.PREVIEWING, {ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWING})
        if dry_run
        else (ImportBatch.Status.IMPORTING, {ImportBatch.Status.PREVIEWED, ImportBatch.Status.IMPORTING})
    )
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=wanted).update(status=start, started_at=timezone.now())
    if not claimed:
        return None
    files = [ImportFile(path=Path(f.file.path), name=f.original_name) for f in batch.files.all()]
    _set_progress(batch_id, "check", 0, 0)
    try:
        report = annex_import(
            # Checked again now: an uploader who has lost the plan's admin role since cannot import.
            plan=batch.plan, files=files, user=batch.uploaded_by or SYSTEM, batch=batch, dry_run=dry_run,
            progress=lambda stage, done, total: _set_progress(batch_id, stage, done, total),
        )
        batch_record(batch_id, report)
    except Exception as exc:
        # Nothing of the import was written (it is one transaction); say so on the batch
        # instead of leaving it "checking" for ever, then let the task runner log it.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now(), failure=f"{type(exc).__name__}: {exc}"[:2000])
        _set_progress(batch_id, "done", 0, 0)
        raise
    return report


def batch_record(batch_id: int, report: ImportReport) -> None:
    """Keep a preview's or an import's report on its batch and move it to the state it reached."""
    if report.dry_run:
        status = ImportBatch.Status.REJECTED if report.rejected else ImportBatch.Status.PREVIEWED
        ImportBatch.objects.filter(pk=batch_id).update(status=status, preview=report.to_store())
    else:
        status = ImportBatch.Status.REJECTED if report.rejected else ImportBatch.Status.IMPORTED
        ImportBatch.objects.filter(pk=batch_id).update(status=status, report=report.to_store(),
                                                       finished_at=timezone.now())
    _set_progress(batch_id, "done", report.rows_read, report.rows_read)


def batch_cancel(*, batch: ImportBatch, user) -> bool:
    require(user, batch.plan_id, ADMIN)
    return bool(
        ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED,
                                     ImportBatch.Status.REJECTED]
        ).update(status=ImportBatch.Status.CANCELLED, finished_at=timezone.now())
    )


def batch_confirm(*, batch: ImportBatch, user) -> bool:
    """Start the import of a previewed batch (its plan's administrators). False when it is not ready."""
    require(user, batch.plan_id, ADMIN)
    if not ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).exists():
        return False
    enqueue("importers.import_batch", batch.pk)
    return True
