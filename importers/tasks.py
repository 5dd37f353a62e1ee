"""Background work of imports. Tasks take ids and are thin wrappers over importers.batches."""

from celery import shared_task
from celery.signals import worker_ready

from importers.batches import batch_run, batches_resume, purge_uploads


@shared_task(name="importers.preview_batch", acks_late=True, reject_on_worker_lost=True)
def preview_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=True)
    return None if report is None else {"rejected": report.rejected, "rows": report.rows_read}


@shared_task(name="importers.import_batch", acks_late=True, reject_on_worker_lost=True)
def import_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=False)
    return None if report is None else {"imported": report.imported, "rows": report.rows_read}


@shared_task(name="importers.purge_uploads")
def purge_expired_uploads() -> int:
    """Nightly (planportal.celery): stored uploads past settings.PLANPORTAL_UPLOAD_RETENTION_DAYS."""
    return purge_uploads()


@shared_task(name="importers.resume_batches")
def resume_batches() -> int:
    """Every 30 s (planportal.celery): previews and imports a broker outage or a killed worker left waiting."""
    return batches_resume()


@worker_ready.connect
def resume_when_a_worker_starts(sender=None, **kwargs):
    resume_batches.delay()
