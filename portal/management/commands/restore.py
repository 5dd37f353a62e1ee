"""`manage.py restore FILE`: load a file of `manage.py backup` into an empty, migrated database.

An operator's tool, run in a shell (it acts as plans.access.SYSTEM; there is no web door). All or
nothing: the rows load in one transaction, and the uploaded files are put in place inside it and taken
out again if it does not commit. The file is read as untrusted input: every member is checked against
the manifest (row counts, sizes, SHA-256), media names must stay inside MEDIA_ROOT, and a damaged or
foreign file is refused with a message, never a traceback.

Rows are saved raw (the deserializer's save(), raw=True), so no service runs: no recompute is requested
and no history entry is written for the load itself (simple_history skips raw saves; the repo has no
signal receivers of its own). The history rows of the file are restored as they are.
"""

import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, SuspiciousOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.python import Deserializer
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.forms import EVIDENCE_MAX_BYTES
from portal import backup

MAX_MANIFEST_BYTES = 16 * 2**20
MAX_LINE_BYTES = 64 * 2**20  # one row; an import report is the largest, far below this
# What reading a damaged zip raises: bad headers or CRC, a cut deflate stream, an unknown compression.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, UnicodeDecodeError)
# What a row of a foreign or edited file raises on the way into the database.
REFUSED_ROWS = (DeserializationError, FieldDoesNotExist, ObjectDoesNotExist, ValidationError, DatabaseError,
                TypeError, ValueError, KeyError, AttributeError)


class Damaged(Exception):
    """The file is not a whole PlanPortal backup; the message says where."""


class Command(BaseCommand):
    help = "Load a file written by `manage.py backup` into an empty, migrated database: all of it, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages")

    def handle(self, *args, file, lang, **options):
        with translation.override("en" if lang == "en" else settings.LANGUAGE_CODE):
            self._restore(Path(file))

    def _restore(self, path: Path) -> None:
        started = time.monotonic()
        try:
            archive = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise CommandError(_("No such file: %(file)s") % {"file": path}) from None
        except (OSError, *DAMAGED) as exc:
            raise CommandError(_("%(file)s is not a PlanPortal backup (not a readable zip file: %(error)s).")
                               % {"file": path, "error": exc}) from None
        with archive:
            try:
                manifest = _manifest(archive)
                self._check_database(manifest)
                rows = self._load_all(archive, manifest)
            except Damaged as exc:
                raise CommandError(_("%(file)s is damaged or not a PlanPortal backup, nothing was restored: "
                                     "%(reason)s") % {"file": path, "reason": exc}) from None
            except (*DAMAGED, OSError) as exc:
                raise CommandError(_("%(file)s could not be read, nothing was restored: %(error)s")
                                   % {"file": path, "error": exc}) from None
            except REFUSED_ROWS as exc:
                raise CommandError(_("The rows of %(file)s could not be loaded, nothing was restored: %(error)s")
                                   % {"file": path, "error": exc}) from None
        if manifest["app_version"] != backup.app_version():
            self.stderr.write(_("Note: the file was written by PlanPortal %(theirs)s, this is %(ours)s.")
                              % {"theirs": manifest["app_version"], "ours": backup.app_version()})
        self.stdout.write(self.style.SUCCESS(
            _("Restored %(rows)s rows of %(models)s models and %(files)s files from %(file)s (written %(when)s) "
              "in %(seconds).1f s.")
            % {"rows": rows, "models": len(manifest["models"]), "files": len(manifest["media"]), "file": path,
               "when": manifest["created_at"], "seconds": time.monotonic() - started}))

    def _check_database(self, manifest: dict) -> None:
        covered = backup.covered_models()
        current = backup.applied_migrations({m._meta.app_label for m in covered})
        differences = backup.migration_differences(manifest["migrations"], current)
        if not any(current.values()):
            raise CommandError(_("The database is not migrated: run `manage.py migrate` on it first."))
        if differences:
            raise CommandError(
                _("This database is not at the migrations the backup was made at (+ only in the file, - only "
                  "here: %(differences)s). Restore it with the PlanPortal version that wrote it (%(version)s) "
                  "into a database migrated with that version, then upgrade.")
                % {"differences": "; ".join(differences), "version": manifest["app_version"]})
        missing = backup.unapplied_migrations()
        if missing:  # the file's migrations, but this code has more: its models are not the file's
            raise CommandError(
                _("This code has migrations the backup was not made at (%(migrations)s): restore it with the "
                  "PlanPortal version that wrote it (%(version)s), then upgrade.")
                % {"migrations": ", ".join(missing), "version": manifest["app_version"]})
        labels = {m._meta.label_lower for m in covered}
        if set(manifest["models"]) != labels:
            raise Damaged(_("it holds other tables than this version backs up (only in the file: %(theirs)s; "
                            "only here: %(ours)s)")
                          % {"theirs": ", ".join(sorted(set(manifest["models"]) - labels)) or "-",
                             "ours": ", ".join(sorted(labels - set(manifest["models"]))) or "-"})
        holding = [m._meta.label_lower for m in covered if m._base_manager.exists()]
        if holding:
            raise CommandError(
                _("The database already holds data (%(tables)s): a restore only loads into an empty database. "
                  "Create a new one and run `manage.py migrate` on it, or empty this one with "
                  "`manage.py flush`.") % {"tables": ", ".join(holding[:5]) + (" …" if len(holding) > 5 else "")})

    def _load_all(self, archive, manifest: dict) -> int:
        media = _Media(manifest["media"])
        try:
            media.stage(archive)
            with transaction.atomic():
                rows = _load_rows(archive, manifest)
                media.place()
        except BaseException:
            media.roll_back()
            raise
        finally:
            media.clean_up()
        return rows


def _manifest(archive) -> dict:
    """The manifest, checked for shape: nothing else of the file is read before it passes."""
    try:
        info = archive.getinfo(backup.MANIFEST)
    except KeyError:
        raise Damaged(_("it has no %(member)s") % {"member": backup.MANIFEST}) from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise Damaged(_("its %(member)s is too large") % {"member": backup.MANIFEST})
    try:
        manifest = json.loads(archive.read(info))
    except ValueError:
        raise Damaged(_("its %(member)s is not JSON") % {"member": backup.MANIFEST}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != backup.FORMAT:
        raise Damaged(_("its %(member)s is not a PlanPortal backup's") % {"member": backup.MANIFEST})
    if manifest.get("format_version") != backup.FORMAT_VERSION:
        raise Damaged(_("it is of format %(theirs)s; this version reads format %(ours)s")
                      % {"theirs": manifest.get("format_version"), "ours": backup.FORMAT_VERSION})
    try:
        _check_shape(manifest)
    except (KeyError, TypeError, AttributeError):
        raise Damaged(_("its %(member)s is incomplete") % {"member": backup.MANIFEST}) from None
    return manifest


def _check_shape(manifest: dict) -> None:
    def text(value):
        if not isinstance(value, str):
            raise TypeError
        return value

    text(manifest["app_version"]), text(manifest["created_at"])
    for app_label, names in manifest["migrations"].items():
        text(app_label), [text(n) for n in names]
    for entry in manifest["models"].values():
        if not isinstance(entry["rows"], int) or entry["rows"] < 0:
            raise TypeError
        text(entry["sha256"])
    for entry in manifest["media"]:
        if not backup.safe_media_name(entry["name"]):
            raise Damaged(_("it names a file outside the media folder: %(name)r") % {"name": entry["name"]})
        if not isinstance(entry["size"], int) or entry["size"] < 0:
            raise TypeError
        text(entry["sha256"])


def _load_rows(archive, manifest: dict) -> int:
    covered = backup.covered_models()
    natural_keys = _NaturalKeys()
    total = 0
    for model in covered:
        entry = manifest["models"][model._meta.label_lower]
        loaded = 0
        for obj in Deserializer(_rows(archive, model, entry, natural_keys), using=connection.alias):
            obj.save(using=connection.alias, force_insert=True)  # raw=True: no service, signal or history runs
            loaded += 1
        if loaded != entry["rows"]:
            raise Damaged(_("%(member)s holds %(found)s rows, its manifest says %(rows)s")
                          % {"member": backup.data_member(model), "found": loaded, "rows": entry["rows"]})
        total += loaded
    # Foreign keys are checked at commit; checked here, a dangling reference is a message, not a traceback.
    connection.check_constraints(table_names=[t for m in covered for t in backup.tables_of(m)])
    # The rows came with their ids: without this, PostgreSQL would hand the next new row an id in use.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), covered):
            cursor.execute(sql)
    return total


def _rows(archive, model, entry: dict, natural_keys: "_NaturalKeys"):
    """The rows of one model's member, checked one by one, then the member's SHA-256."""
    member, label = backup.data_member(model), model._meta.label_lower
    natural = [(f.name, f.related_model, f.many_to_many) for f in model._meta.get_fields()
               if f.concrete and f.is_relation and f.related_model._meta.label_lower in backup.NATURAL_KEY_MODELS]
    try:
        stream = archive.open(member)
    except KeyError:
        raise Damaged(_("it has no %(member)s") % {"member": member}) from None
    sha256, line_no = hashlib.sha256(), 0
    with stream:
        while line := stream.readline(MAX_LINE_BYTES + 1):
            line_no += 1
            sha256.update(line)
            if len(line) > MAX_LINE_BYTES:
                raise Damaged(_("line %(line)s of %(member)s is too long") % {"line": line_no, "member": member})
            try:
                row = json.loads(line)
            except ValueError:
                raise Damaged(_("line %(line)s of %(member)s is not JSON") % {"line": line_no, "member": member}) \
                    from None
            if not (isinstance(row, dict) and row.get("model") == label and row.get("pk") is not None
                    and isinstance(row.get("fields"), dict)) or line_no > entry["rows"]:
                raise Damaged(_("line %(line)s of %(member)s is not a row of %(model)s it announces")
                              % {"line": line_no, "member": member, "model": label})
            for name, related, many in natural:
                if name not in row["fields"]:
                    continue
                if many:
                    row["fields"][name] = natural_keys.resolve_all(related, row["fields"][name])
                else:
                    row["fields"][name] = natural_keys.resolve(related, row["fields"][name])
            yield row
    if sha256.hexdigest() != entry["sha256"]:
        raise Damaged(_("%(member)s is not the one its manifest describes (SHA-256 differs)") % {"member": member})


class _NaturalKeys:
    """Ids on this database of the content types and permissions the file names by natural key."""

    def __init__(self):
        self._ids = {}

    def resolve_all(self, model, values) -> list:
        # A permission of a model removed since grants nothing: it is left out.
        return [i for i in (self.resolve(model, value) for value in values) if i is not None]

    def resolve(self, model, value):
        if value is None:
            return None
        key = (model, tuple(value))
        if key not in self._ids:
            self._ids[key] = self._lookup(model, tuple(value))
        return self._ids[key]

    @staticmethod
    def _lookup(model, natural_key):
        if not all(isinstance(part, str) for part in natural_key):
            raise TypeError(natural_key)
        if model._meta.label_lower == "contenttypes.contenttype":
            # One of a model removed since is kept, as the old database kept it: the log entries naming it stay.
            app_label, model_name = natural_key
            return model.objects.get_or_create(app_label=app_label, model=model_name)[0].pk
        try:
            return model._default_manager.get_by_natural_key(*natural_key).pk
        except model.DoesNotExist:
            return None


class _Media:
    """The uploaded files of a restore: unpacked into a folder in MEDIA_ROOT first (checked against the
    manifest), moved into place inside the database transaction, and moved back out if it does not commit."""

    def __init__(self, entries: list[dict]):
        self.entries, self.staging, self.undo = entries, None, []

    def stage(self, archive) -> None:
        if not self.entries:
            return
        limit = max(settings.PLANPORTAL_MAX_UPLOAD_BYTES, EVIDENCE_MAX_BYTES)
        root = Path(default_storage.location)  # MEDIA_ROOT: both FileFields store through the default storage
        root.mkdir(parents=True, exist_ok=True)
        needed = sum(entry["size"] for entry in self.entries)
        if needed > shutil.disk_usage(root).free:
            raise Damaged(_("its files need %(size)s bytes, more than is free in %(folder)s")
                          % {"size": needed, "folder": root})
        self.staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root))
        for i, entry in enumerate(self.entries):
            member = backup.MEDIA_PREFIX + entry["name"]
            try:
                info = archive.getinfo(member)
            except KeyError:
                raise Damaged(_("it has no %(member)s") % {"member": member}) from None
            if info.file_size != entry["size"] or entry["size"] > limit:
                raise Damaged(_("%(member)s is not of the size its manifest says, or larger than any upload this "
                                "site accepts (PLANPORTAL_MAX_UPLOAD_BYTES)") % {"member": member})
            sha256 = hashlib.sha256()
            with archive.open(info) as source, open(self.staging / str(i), "xb") as target:
                while chunk := source.read(1 << 20):
                    sha256.update(chunk)
                    target.write(chunk)
            if sha256.hexdigest() != entry["sha256"]:
                raise Damaged(_("%(member)s is not the one its manifest describes (SHA-256 differs)")
                              % {"member": member})

    def place(self) -> None:
        root = os.path.realpath(default_storage.location)
        for i, entry in enumerate(self.entries):
            try:
                target = Path(default_storage.path(entry["name"]))
            except SuspiciousOperation:
                raise Damaged(_("it names a file outside the media folder: %(name)r") % {"name": entry["name"]}) \
                    from None
            if not os.path.realpath(target).startswith(root + os.sep):  # a symbolic link out of MEDIA_ROOT
                raise Damaged(_("it names a file outside the media folder: %(name)r") % {"name": entry["name"]})
            staged = self.staging / str(i)
            if target.is_file():
                if _sha256(target) == entry["sha256"]:
                    continue  # already there (a restore after a flush keeps MEDIA_ROOT)
                kept = self.staging / f"{i}.before"
                os.replace(target, kept)
                self.undo.append((kept, target))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            self.undo.append((target, None))

    def roll_back(self) -> None:
        for moved, original in reversed(self.undo):
            if original is None:
                moved.unlink(missing_ok=True)
            else:
                os.replace(moved, original)
        self.undo = []

    def clean_up(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)


def _sha256(path: Path) -> str:
    sha256 = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha256.update(chunk)
    return sha256.hexdigest()
