from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from importers.batches import purge_uploads


class Command(BaseCommand):
    help = ("Delete stored annex uploads older than PLANPORTAL_UPLOAD_RETENTION_DAYS days (the nightly task "
            "importers.purge_uploads does the same). The batches keep their file names, sizes and hashes.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"keep uploads of the last DAYS days (default: the setting, now "
                                 f"{settings.PLANPORTAL_UPLOAD_RETENTION_DAYS})")

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        removed = purge_uploads(days=days)
        self.stdout.write(f"Deleted {removed} stored upload{'s' if removed != 1 else ''}.")
