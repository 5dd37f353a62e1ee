import json

from django.core.management.base import BaseCommand, CommandError

from evaluation.docx_report import evaluation_docx
from evaluation.report import evaluation_report
from evaluation.xlsx_report import evaluation_xlsx
from plans.models import Plan


class Command(BaseCommand):
    help = ("The final evaluation (终期评估) of a plan: planned against disbursed against every stated figure, "
            "projects by status, indicators, key projects and open disagreements, from the stored totals. "
            "Prints a summary, or the JSON (--json); writes the report (--docx FILE) and its tables (--xlsx FILE).")

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--json", action="store_true", help="print the evaluation as one JSON object")
        parser.add_argument("--docx", metavar="FILE", help="write the report (Word, in Chinese) to FILE")
        parser.add_argument("--xlsx", metavar="FILE", help="write the tables (one sheet each) to FILE")
        parser.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans",
                            help="language of the JSON's sentences and of the xlsx (default: zh-hans)")

    def handle(self, *args, plan, json: bool, docx: str | None, xlsx: str | None, lang: str, **options):
        plan_obj = Plan.objects.filter(code=plan).first()
        if plan_obj is None:
            raise CommandError(f"No plan with code {plan!r}. Existing codes: "
                               f"{', '.join(Plan.objects.values_list('code', flat=True)) or '(none)'}")
        report = evaluation_report(plan_obj, lang=lang)
        if docx:
            evaluation_docx(report if lang == "zh-hans" else evaluation_report(plan_obj, lang="zh-hans"), docx)
            self.stderr.write(f"wrote {docx}")
        if xlsx:
            evaluation_xlsx(report, xlsx, lang=lang)
            self.stderr.write(f"wrote {xlsx}")
        if json:
            self.stdout.write(_dumps(report))
        elif not (docx or xlsx):
            self._summary(report)

    def _summary(self, report: dict) -> None:
        totals = report["totals"]
        self.stdout.write(f"{report['name']} ({report['plan']}), {report['first_year']}–{report['last_year']}: "
                          f"{report['period']}")
        self.stdout.write(f"{'':>8} {'rows':>5} {'total':>14} {'beijing':>14} {'local':>14} "
                          f"{'paid beijing':>14} {'paid local':>14}")
        for label, scope in [*((str(y["year"]), y) for y in report["years"]), ("all", totals)]:
            planned, disbursed = scope["planned"], scope["disbursed"]
            self.stdout.write(f"{label:>8} {scope['projects']:>5} {planned['total_investment']:>14} "
                              f"{planned['beijing_funds']:>14} {planned['local_funds']:>14} "
                              f"{disbursed['beijing_funds']:>14} {disbursed['local_funds']:>14}")
        self.stdout.write("projects: " + ", ".join(f"{k} {v}" for k, v in totals["status"].items()))
        attained = sum(1 for row in report["indicators"] if row["attained"])
        self.stdout.write(f"indicators: {attained} of {len(report['indicators'])} attained")
        keys = report["key_projects"]
        self.stdout.write(f"key projects: {keys['found']} of {keys['listed']} found in the annex")
        self.stdout.write(f"open disagreements: {report['disagreements_open']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
