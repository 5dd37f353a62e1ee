"""Background work of imports. Tasks take ids and are thin wrappers over importers.batches."""

from celery import shared_task

from importers.batches import batch_run, purge_uploads


@shared_task(name="importers.preview_batch")
def preview_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=True)
    return None if report is None else {"rejected": report.rejected, "rows": report.rows_read}


@shared_task(name="importers.import_batch")
def import_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=False)
    return None if report is None else {"imported": report.imported, "rows": report.rows_read}


@shared_task(name="importers.purge_uploads")
def purge_expired_uploads() -> int:
    """Nightly (planportal.celery): stored uploads past settings.PLANPORTAL_UPLOAD_RETENTION_DAYS."""
    return purge_uploads()
