"""`manage.py backup -o FILE`: every plan and everything of it, with the uploaded files, in one zip file.

An operator's tool, run in a shell (like every command here it acts as plans.access.SYSTEM, with no
web door). The file holds password hashes and API tokens: it is created readable by its owner only.
Layout and coverage: portal/backup.py; the way back: `manage.py restore FILE`.
"""

import hashlib
import json
import os
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import backup


class Command(BaseCommand):
    help = ("Write every plan with its members, projects, budgets, stated figures, indicators, reviews, "
            "comments, history and uploaded files into one zip file, for `manage.py restore`.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the file to write (must not exist yet)")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages")

    def handle(self, *args, output, lang, **options):
        with translation.override("en" if lang == "en" else settings.LANGUAGE_CODE):
            self._backup(Path(output), options["verbosity"])

    def _backup(self, path: Path, verbosity: int) -> None:
        if path.exists():
            raise CommandError(_("%(file)s already exists: choose another name (a backup never overwrites one).")
                               % {"file": path})
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(folder)s") % {"folder": path.parent})
        missing = backup.unapplied_migrations()
        if missing:
            raise CommandError(_("The database lacks migrations of this code (%(migrations)s): "
                                 "run `manage.py migrate` first.") % {"migrations": ", ".join(missing)})
        started = time.monotonic()
        # Written beside the target and renamed at the end: a failed backup leaves no file that looks whole.
        partial = path.with_name(f".{path.name}.partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": partial, "error": exc}) from None
        try:
            with os.fdopen(fd, "wb") as handle, backup.consistent_snapshot():
                manifest = self._write(handle, verbosity)
            os.replace(partial, path)
        except (OSError, DatabaseError) as exc:
            raise CommandError(_("The backup failed: %(error)s") % {"error": exc}) from None
        finally:
            partial.unlink(missing_ok=True)
        rows = sum(entry["rows"] for entry in manifest["models"].values())
        self.stdout.write(self.style.SUCCESS(
            _("Backed up %(rows)s rows of %(models)s models and %(files)s files to %(file)s "
              "(%(size).1f MB, %(seconds).1f s).")
            % {"rows": rows, "models": len(manifest["models"]), "files": len(manifest["media"]), "file": path,
               "size": path.stat().st_size / 1e6, "seconds": time.monotonic() - started}))
        if manifest["missing_media"]:
            self.stderr.write(
                _("%(count)s files the rows name were not in storage (a history row may name evidence that was "
                  "replaced since): %(names)s")
                % {"count": len(manifest["missing_media"]), "names": ", ".join(manifest["missing_media"][:10])})

    def _write(self, handle, verbosity: int) -> dict:
        manifest = {
            "format": backup.FORMAT, "format_version": backup.FORMAT_VERSION, "app_version": backup.app_version(),
            "created_at": timezone.now().isoformat(), "database": connection.vendor,
            "models": {}, "media": [], "missing_media": [],
        }
        covered = backup.covered_models()
        manifest["migrations"] = backup.applied_migrations({m._meta.app_label for m in covered})
        media_names = set()
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for model in covered:
                with archive.open(_member(backup.data_member(model)), "w", force_zip64=True) as raw:
                    sink = backup.HashingSink(raw)
                    serializer = backup.RowSerializer()
                    serializer.serialize(backup.rows_of(model), stream=sink)
                    sink.flush()
                manifest["models"][model._meta.label_lower] = {"rows": serializer.rows,
                                                               "sha256": sink.sha256.hexdigest()}
                if verbosity >= 2:
                    self.stdout.write(f"  {model._meta.label_lower}: {serializer.rows}")
                for field in backup.media_fields(model):
                    names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                    media_names.update(n for n in names.iterator(chunk_size=backup.CHUNK_ROWS) if n)
            for name in sorted(media_names):
                entry = self._write_media(archive, name)
                if entry:
                    manifest["media"].append(entry)
                else:
                    manifest["missing_media"].append(name)
            # Last: it names what the members hold, so a file cut short before this is never taken for whole.
            archive.writestr(_member(backup.MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1))
        return manifest

    def _write_media(self, archive, name: str) -> dict | None:
        # Both FileFields (annex uploads, indicator evidence) store through the default storage.
        try:
            source = default_storage.open(name, "rb")
        except FileNotFoundError:
            return None
        sha256, size = hashlib.sha256(), 0
        with source, archive.open(_member(backup.MEDIA_PREFIX + name), "w", force_zip64=True) as target:
            while chunk := source.read(1 << 20):
                sha256.update(chunk)
                size += len(chunk)
                target.write(chunk)
        return {"name": name, "size": size, "sha256": sha256.hexdigest()}



def _member(name: str) -> zipfile.ZipInfo:
    # zipfile dates a member opened by name 1980-01-01; the backup's members carry the time of the backup.
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
