import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from importers.command_args import import_arguments, json_dumps
from importers.batches import batch_create, batch_record, batch_remove_files, upload_refusal
from importers.report import ImportReport
from importers.services import ImportFile, annex_import
from planportal import background


class Command(BaseCommand):
    help = "Import annex spreadsheets (.xlsx, .xls, .ods, .csv) into a plan: all files or nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="one or more annex files")
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--skip-locked-years", action="store_true",
                            help="import the file without its rows of approved (locked) years, instead of refusing "
                                 "it when they would change them")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages")
        parser.add_argument("--user", help="import as this user (an administrator of the plan); the history "
                                           "names them. Without it the import runs as the system.")

    def handle(self, *args, files, plan, dry_run, json: bool, lang, user, skip_locked_years, **options):
        plan_obj, paths, actor = import_arguments(plan=plan, files=files, user=user)
        with background.inline():  # the recompute the import asks for runs before the command ends
            report = self._import(plan_obj, paths, actor, dry_run, skip_locked_years)
        if json:
            self.stdout.write(json_dumps(report.as_json(lang)))
        else:
            self._print(report, lang)
        if report.rejected:
            sys.exit(1)

    def _import(self, plan_obj, paths, actor, dry_run, skip_locked_years):
        # A file over the limit is refused before anything is copied (no batch, nothing stored).
        refused = [m for p in paths if (m := upload_refusal(p.name, p.stat().st_size))]
        if refused:
            report = ImportReport(files=[p.name for p in paths], dry_run=dry_run)
            for message in refused:
                report.add(message)
            return report
        handles = [open(p, "rb") for p in paths]  # noqa: SIM115 — closed below
        try:
            batch = batch_create(plan=plan_obj, uploads=[(p.name, h) for p, h in zip(paths, handles)], user=actor)
        finally:
            for handle in handles:
                handle.close()
        report = annex_import(
            plan=plan_obj,
            files=[ImportFile(path=Path(f.file.path), name=f.original_name) for f in batch.files.all()],
            user=actor, batch=batch, dry_run=dry_run, skip_locked_years=skip_locked_years,
        )
        batch_record(batch.pk, report)  # a rejected batch's files go here
        if dry_run:  # nothing will import this batch: its copies go once the report is made
            batch_remove_files(batch.pk)
        return report

    def _print(self, report, lang):
        data = report.as_json(lang)
        verb = "would be" if report.dry_run else "were"
        out = self.stdout.write
        out(f"Files: {', '.join(data['files'])}; project rows read: {data['rows_read']}; years: {data['years']}")
        for what in ("projects", "budgets"):
            c = data[what]
            out(f"{what.capitalize()} {verb}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged")
        s = data["stated_figures"]
        out(f"Stated figures read: {s['read']} rows → {s['created']} created, {s['updated']} updated, "
            f"{s['unchanged']} unchanged, {s['removed']} removed")
        if data["units_created"]:
            out(f"New implementing units: {', '.join(data['units_created'])}")
        for level in ("errors", "warnings"):
            items = data[level]
            if items:
                out(f"{level.capitalize()} ({data[level + '_total']}):")
                for item in items:
                    out(f"  [{item['where']}] {item['message']}")
        if report.skippable:
            out(self.style.ERROR("Rejected: nothing was written. These rows would change approved years; reopen "
                                 "them, or run again with --skip-locked-years to import the rest as counted above."))
        elif report.rejected:
            out(self.style.ERROR("Rejected: nothing was written. Correct the errors above and try again."))
        elif report.dry_run:
            out(self.style.SUCCESS("Dry run: no errors; nothing was written."))
        else:
            out(self.style.SUCCESS("Imported."))

