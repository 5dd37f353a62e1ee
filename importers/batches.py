"""Uploaded annex files as import batches: store, preview, import, with progress people can watch.

Stored uploads do not stay for ever. A file over settings.PLANPORTAL_MAX_UPLOAD_BYTES is refused
before it is stored (upload_refusal). The stored copies of a batch's files are deleted when the
batch ends without an import: a rejected preview or import at once, a cancelled batch on cancel,
a dry run of import_annex after its report (batch_remove_files). An imported batch keeps them
for settings.PLANPORTAL_UPLOAD_RETENTION_DAYS days, like every other batch (purge_uploads, run
nightly by the task importers.purge_uploads and by `manage.py purge_uploads`). A batch's file
rows stay: name, size and SHA-256 still say what was imported; files_removed_at says when its
copies went, and such a batch can no longer be previewed or imported.

Nothing asked for waits for ever. A preview or an import asked for while the broker is down, or
whose worker was killed, is handed over again by batches_resume (every worker start and every
30 s, planportal.celery): a batch still uploaded, or previewed with its import asked for, after
RESEND; one "checking" or "importing" whose run started longer than the visibility timeout ago
(its worker died: a live run would have finished, see CELERY_BROKER_TRANSPORT_OPTIONS). A run
claims its batch by its state (batch_run), so a task delivered twice runs once.
"""

import hashlib
import logging
import math
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from importers.messages import ERROR, Message
from importers.models import ImportBatch, ImportBatchFile
from planportal.background import enqueue
from importers.report import ImportReport
from importers.services import ImportFile, annex_import
from importers.disbursements import disbursement_import
from plans.access import ADMIN, SYSTEM, history_user, require
from plans.models import Plan

PROGRESS_TTL = 24 * 3600
# A batch whose files are being read: they are not deleted under it.
WORKING = (ImportBatch.Status.PREVIEWING, ImportBatch.Status.IMPORTING)
PREVIEW_TASK, IMPORT_TASK = "importers.preview_batch", "importers.import_batch"
# How long a handed-over task may wait in the queue (behind a long import) before it is sent again.
RESEND = timedelta(minutes=5)
STORED_UNDER = "imports"  # ImportBatchFile.file's upload_to, without its dates

log = logging.getLogger(__name__)


class UploadTooLarge(ValueError):
    """Uploads over the limit; `messages` say which (importers.messages, code file_too_large)."""

    def __init__(self, messages: list[Message]):
        super().__init__("; ".join(m.text("en") for m in messages))
        self.messages = messages


def _megabytes(size: int, *, up: bool) -> str:
    tenths = (math.ceil if up else math.floor)(size * 10 / 2**20)
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def upload_refusal(name: str, size: int) -> Message | None:
    """The message refusing an upload of `size` bytes before it is stored, or None when it may be stored."""
    limit = settings.PLANPORTAL_MAX_UPLOAD_BYTES
    if size <= limit:
        return None
    name = Path(name).name
    return Message(ERROR, "file_too_large", name, None, "",
                   {"name": name, "size_mb": _megabytes(size, up=True), "limit_mb": _megabytes(limit, up=False)})


def _progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def batch_progress(batch_id: int) -> dict:
    try:
        return cache.get(_progress_key(batch_id)) or {"stage": "", "done": 0, "total": 0}
    except Exception:  # the cache is down: the page shows the batch's status without a bar
        return {"stage": "", "done": 0, "total": 0}


def _set_progress(batch_id: int, stage: str, done: int, total: int) -> None:
    try:
        cache.set(_progress_key(batch_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)
    except Exception:  # progress is a courtesy: an import never fails because the cache is down
        pass


def _size(handle) -> int:
    size = getattr(handle, "size", None)  # an UploadedFile knows it
    if size is None:
        handle.seek(0, 2)
        size = handle.tell()
    handle.seek(0)
    return size


@transaction.atomic
def batch_create(*, plan: Plan, uploads: list, user, kind: str = ImportBatch.Kind.ANNEX) -> ImportBatch:
    """A batch holding copies of the uploaded files (the plan's administrators). `uploads`: (name, binary file) pairs;
    `kind`: annex tables or disbursements. Raises UploadTooLarge, storing nothing, when a file is over
    settings.PLANPORTAL_MAX_UPLOAD_BYTES."""
    require(user, plan, ADMIN)
    refused = [m for name, handle in uploads if (m := upload_refusal(name, _size(handle)))]
    if refused:
        raise UploadTooLarge(refused)
    names = [Path(name).name[:255] for name, _f in uploads]
    batch = ImportBatch.objects.create(plan=plan, uploaded_by=history_user(user), name=", ".join(names)[:500],
                                       kind=kind)
    saved = []
    try:
        for name, handle in uploads:
            digest = hashlib.sha256()
            size = 0
            handle.seek(0)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
            handle.seek(0)
            stored = ImportBatchFile(batch=batch, original_name=Path(name).name[:255], sha256=digest.hexdigest(),
                                     size=size)
            stored.file.save(f"{batch.pk}-{digest.hexdigest()[:12]}{Path(name).suffix.lower()[:8]}", File(handle),
                             save=False)
            saved.append(stored.file.name)
            stored.save()
    except BaseException:
        _delete_stored(saved)  # the rows roll back: leave no file behind them
        raise
    return batch


def _stale_before(now):
    """A run started before this is dead: no live one outlasts the broker's visibility timeout."""
    return now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])


def _queue(batch_id: int, task: str) -> None:
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch_id).update(queued_at=now)
    enqueue(task, batch_id, on_failure=lambda: ImportBatch.objects.filter(pk=batch_id, queued_at=now).update(
        queued_at=None))


def batch_request_preview(*, batch: ImportBatch, user) -> None:
    """Check an uploaded batch in the background (its plan's administrators)."""
    require(user, batch.plan_id, ADMIN)
    _queue(batch.pk, PREVIEW_TASK)


def batch_run(batch_id: int, *, dry_run: bool) -> ImportReport | None:
    """Preview (dry run) or import a batch. Idempotent per state: a finished batch is left alone, and so is
    one another run is working on (a run that started before _stale_before is dead and is taken over)."""
    batch = ImportBatch.objects.select_related("plan", "uploaded_by").get(pk=batch_id)
    start, waiting = (
        (ImportBatch.Status.PREVIEWING, ImportBatch.Status.UPLOADED)
        if dry_run
        else (ImportBatch.Status.IMPORTING, ImportBatch.Status.PREVIEWED)
    )
    now = timezone.now()
    claimed = ImportBatch.objects.filter(
        Q(status=waiting) | Q(status=start, started_at__lt=_stale_before(now)),
        pk=batch_id, files_removed_at__isnull=True,
    ).update(status=start, started_at=now)
    if not claimed:
        return None
    files = [ImportFile(path=Path(f.file.path), name=f.original_name) for f in batch.files.all()]
    _set_progress(batch_id, "check", 0, 0)
    try:
        # Checked again now: an uploader who has lost the plan's admin role since cannot import.
        common = dict(plan=batch.plan, files=files, user=batch.uploaded_by or SYSTEM, batch=batch, dry_run=dry_run,
                      progress=lambda stage, done, total: _set_progress(batch_id, stage, done, total))
        if batch.kind == ImportBatch.Kind.DISBURSEMENTS:
            report = disbursement_import(**common)
        else:
            report = annex_import(**common, skip_locked_years=batch.skip_locked_years and not dry_run)
        batch_record(batch_id, report)
    except Exception as exc:
        # Nothing of the import was written (it is one transaction); say so on the batch
        # instead of leaving it "checking" for ever, then let the task runner log it.
        failure = f"{type(exc).__name__}: {exc}"
        for f in files:  # the page shows it: name the files as the uploader does
            failure = failure.replace(str(f.path), f.name)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now(), failure=failure[:2000])
        _set_progress(batch_id, "done", 0, 0)
        raise
    return report


def batch_record(batch_id: int, report: ImportReport) -> None:
    """Keep a preview's or an import's report on its batch and move it to the state it reached.
    A rejected batch's files are deleted at once: it can only be cancelled."""
    if report.dry_run:
        # Refused only by approved years: ready to import with "skip the locked years".
        status = ImportBatch.Status.REJECTED if report.rejected and not report.skippable else ImportBatch.Status.PREVIEWED
        ImportBatch.objects.filter(pk=batch_id).update(status=status, preview=report.to_store())
    else:
        status = ImportBatch.Status.REJECTED if report.rejected else ImportBatch.Status.IMPORTED
        ImportBatch.objects.filter(pk=batch_id).update(status=status, report=report.to_store(),
                                                       finished_at=timezone.now())
    if status == ImportBatch.Status.REJECTED:
        batch_remove_files(batch_id)
    _set_progress(batch_id, "done", report.rows_read, report.rows_read)


def batch_cancel(*, batch: ImportBatch, user) -> bool:
    """Cancel a batch that is not running nor imported, and delete its files."""
    require(user, batch.plan_id, ADMIN)
    cancelled = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED,
                                 ImportBatch.Status.REJECTED]
    ).update(status=ImportBatch.Status.CANCELLED, finished_at=timezone.now())
    if cancelled:
        batch_remove_files(batch.pk)
    return bool(cancelled)


def batch_confirm(*, batch: ImportBatch, user, skip_locked_years: bool = False) -> bool:
    """Start the import of a previewed batch (its plan's administrators). False when it is not ready, or when its
    preview was refused by approved years and the administrator did not choose to skip them."""
    require(user, batch.plan_id, ADMIN)
    ready = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED,
                                       files_removed_at__isnull=True)
    preview = ready.values_list("preview", flat=True).first() or {}
    if preview.get("skippable") and not skip_locked_years:
        return False
    if not ready.update(import_requested_at=timezone.now(), skip_locked_years=skip_locked_years):
        return False
    _queue(batch.pk, IMPORT_TASK)
    return True


def batches_resume(*, now=None) -> int:
    """Hand over again each preview or import that is asked for and that no live task will run: never
    queued (the broker was down), queued more than RESEND ago and not started, or started by a worker that
    died. Returns how many were queued."""
    now = now or timezone.now()
    not_waiting = Q(queued_at__isnull=True) | Q(queued_at__lt=now - RESEND)
    stale = Q(started_at__lt=_stale_before(now))
    wanted = {
        PREVIEW_TASK: Q(status=ImportBatch.Status.UPLOADED, created_at__lt=now - timedelta(minutes=1)) & not_waiting
        | Q(status=ImportBatch.Status.PREVIEWING) & stale,
        IMPORT_TASK: Q(status=ImportBatch.Status.PREVIEWED, import_requested_at__lt=now - timedelta(minutes=1))
        & not_waiting | Q(status=ImportBatch.Status.IMPORTING) & stale,
    }
    count = 0
    for task, condition in wanted.items():
        for batch_id in ImportBatch.objects.filter(condition, files_removed_at__isnull=True).values_list(
                "pk", flat=True):
            _queue(batch_id, task)
            count += 1
    if count:
        log.info("handed over again %d import batches", count)
    return count


def batch_remove_files(batch_id: int) -> int:
    """Delete the stored copies of a batch's files, unless it is being previewed or imported right now.
    The file rows keep their names, sizes and hashes; files_removed_at records when. Returns how many
    files were deleted (0 when they were already gone or the batch is running)."""
    with transaction.atomic():
        marked = ImportBatch.objects.filter(pk=batch_id, files_removed_at__isnull=True).exclude(
            status__in=WORKING).update(files_removed_at=timezone.now())
        if not marked:
            return 0
        rows = ImportBatchFile.objects.filter(batch_id=batch_id)
        names = [name for name in rows.values_list("file", flat=True) if name]
        rows.update(file="")
        # Once the rows say so: a rolled-back change must not lose the files.
        transaction.on_commit(partial(_delete_stored, names), robust=True)
    return len(names)


def _storage():
    return ImportBatchFile._meta.get_field("file").storage


def _delete_stored(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not delete the stored upload %s", name, exc_info=True)


def purge_uploads(*, days: int | None = None, now=None) -> int:
    """Delete the stored files uploaded more than `days` (settings.PLANPORTAL_UPLOAD_RETENTION_DAYS) days
    ago: those of every batch not running at this moment, whatever became of it, and files under
    imports/ that no batch knows of (an upload whose batch was never saved). Returns how many."""
    days = settings.PLANPORTAL_UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = ImportBatch.objects.filter(created_at__lt=cutoff, files_removed_at__isnull=True).exclude(
        status__in=WORKING).values_list("pk", flat=True)
    removed = sum(batch_remove_files(pk) for pk in list(expired))
    return removed + _purge_unknown(cutoff)


def _purge_unknown(cutoff) -> int:
    storage = _storage()
    known = set(ImportBatchFile.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    pending = [STORED_UNDER]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        pending += [f"{folder}/{name}" for name in folders]
        for name in files:
            path = f"{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < cutoff:
                _delete_stored([path])
                removed += 1
    return removed
