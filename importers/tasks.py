"""Background work of imports. Tasks take ids and are thin wrappers over importers.batches."""

from celery import shared_task

from importers.batches import batch_run


@shared_task(name="importers.preview_batch")
def preview_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=True)
    return None if report is None else {"rejected": report.rejected, "rows": report.rows_read}


@shared_task(name="importers.import_batch")
def import_batch(batch_id: int) -> dict | None:
    report = batch_run(batch_id, dry_run=False)
    return None if report is None else {"imported": report.imported, "rows": report.rows_read}
