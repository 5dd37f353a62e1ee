import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from importers.command_args import import_arguments, json_dumps
from importers.batches import batch_create, batch_record, batch_remove_files, upload_refusal
from importers.disbursements import DisbursementReport, disbursement_import
from importers.models import ImportBatch
from importers.services import ImportFile
from planportal import background


class Command(BaseCommand):
    help = ("Import the finance bureau's disbursement spreadsheets (.xlsx, .xls, .ods, .csv) into a plan's budgets: "
            "all payments or none. A voucher already imported for a project is updated, never counted twice.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="one or more disbursement files")
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--lang", choices=["zh-hans", "zh", "en"], default="zh-hans",
                            help="language of the messages")
        parser.add_argument("--user", help="import as this user (an administrator of the plan); the history "
                                           "names them. Without it the import runs as the system.")

    def handle(self, *args, files, plan, dry_run, json: bool, lang, user, **options):
        lang = "en" if lang == "en" else "zh"
        plan_obj, paths, actor = import_arguments(plan=plan, files=files, user=user)
        with background.inline():  # the recompute the import asks for runs before the command ends
            report = self._import(plan_obj, paths, actor, dry_run)
        if json:
            self.stdout.write(json_dumps(report.as_json(lang)))
        else:
            self._print(report, lang)
        if report.rejected:
            sys.exit(1)

    def _import(self, plan_obj, paths, actor, dry_run) -> DisbursementReport:
        refused = [m for p in paths if (m := upload_refusal(p.name, p.stat().st_size))]
        if refused:
            report = DisbursementReport(files=[p.name for p in paths], dry_run=dry_run)
            for message in refused:
                report.add(message)
            return report
        handles = [open(p, "rb") for p in paths]  # noqa: SIM115 — closed below
        try:
            batch = batch_create(plan=plan_obj, uploads=[(p.name, h) for p, h in zip(paths, handles)], user=actor,
                                 kind=ImportBatch.Kind.DISBURSEMENTS)
        finally:
            for handle in handles:
                handle.close()
        report = disbursement_import(
            plan=plan_obj, files=[ImportFile(path=Path(f.file.path), name=f.original_name) for f in batch.files.all()],
            user=actor, batch=batch, dry_run=dry_run,
        )
        batch_record(batch.pk, report)
        if dry_run:
            batch_remove_files(batch.pk)
        return report

    def _print(self, report, lang):
        data = report.as_json(lang)
        out = self.stdout.write
        verb = "would be" if report.dry_run else "were"
        out(f"Files: {', '.join(data['files'])}; payment rows read: {data['rows_read']}; years: {data['years']}")
        out(f"File totals: cooperation funds {data['file_totals']['beijing_funds']} 万元, "
            f"local funds {data['file_totals']['local_funds']} 万元")
        c = data["disbursements"]
        out(f"Payments {verb}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            + (f"; {data['repeated']} repeated rows counted once" if data["repeated"] else ""))
        if not report.rejected:
            out(f"Project years paid: {data['projects_total']}; budgets whose disbursed figures change: "
                f"{data['budgets_changed']}")
        for level in ("errors", "warnings"):
            items = data[level]
            if items:
                out(f"{level.capitalize()} ({data[level + '_total']}):")
                for item in items:
                    out(f"  [{item['where']}] {item['message']}")
        if report.rejected:
            out(self.style.ERROR("Rejected: nothing was written. Correct the errors above and try again."))
        elif report.dry_run:
            out(self.style.SUCCESS("Dry run: no errors; nothing was written."))
        else:
            out(self.style.SUCCESS("Imported."))

