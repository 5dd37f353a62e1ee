import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.models import AnnualBudget
from funding.export import flat_export_csv, flat_export_xlsx
from importers.exporting import annex_export
from plans.models import Plan

FORMATS = ("xlsx", "csv")
_SHOWN_CODES = 20


def _plan(code: str) -> Plan:
    try:
        return Plan.objects.get(code=code)
    except Plan.DoesNotExist:
        pass
    codes = list(Plan.objects.order_by("code").values_list("code", flat=True)[: _SHOWN_CODES + 1])
    if not codes:
        raise CommandError(f"No plan with code {code!r}: there are no plans yet (create one with `manage.py create_plan`).")
    more = ", …" if len(codes) > _SHOWN_CODES else ""
    raise CommandError(
        f"No plan with code {code!r}. Known codes: {', '.join(codes[:_SHOWN_CODES])}{more}. "
        "Every plan's code is also shown in the admin under Plans."
    )


def _format(output: Path, requested: str | None, flat: bool) -> str:
    suffix = output.suffix.lower().lstrip(".")
    if requested and suffix in FORMATS and suffix != requested:
        raise CommandError(f"--format {requested} does not match the file name {output.name!r}.")
    chosen = requested or suffix
    if chosen not in FORMATS:
        raise CommandError(f"Cannot tell the format of {output.name!r}: name it .xlsx or .csv, or pass --format.")
    if chosen == "csv" and not flat:
        raise CommandError("The annex layout is a workbook with one sheet per year: write .xlsx, or add --flat for CSV.")
    return chosen


class _AtomicOutput:
    """Write next to the target and move into place at the end: a failed export leaves no half file."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        os.close(handle)
        # mkstemp makes the file private (0600); give the export the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


class Command(BaseCommand):
    help = (
        "Export a plan's budgets: by default the annex layout (one sheet per year with 合计 and "
        "subtotal rows); with --flat one row per budget, as .xlsx or .csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, metavar="CODE", help="the plan's code, e.g. keyouzhongqi-2021-2025")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write (.xlsx or .csv)")
        parser.add_argument("--flat", action="store_true", help="one row per budget instead of the annex layout")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name's suffix")

    def handle(self, *args, plan, output, flat, format, **options):
        plan_obj = _plan(plan)
        target = Path(output)
        chosen = _format(target, format, flat)
        if not target.parent.is_dir():
            raise CommandError(f"The folder {str(target.parent)!r} does not exist.")
        with _AtomicOutput(target) as temporary:
            if not flat:
                summary = annex_export(plan=plan_obj, out=temporary)
            elif chosen == "csv":
                with open(temporary, "w", encoding="utf-8", newline="") as stream:
                    rows = flat_export_csv(queryset=AnnualBudget.objects.for_plan(plan_obj), out_text_stream=stream)
            else:
                rows = flat_export_xlsx(queryset=AnnualBudget.objects.for_plan(plan_obj), out=temporary)
        if flat:
            message = f"Wrote {rows} budget rows of plan {plan_obj.code} to {target} ({chosen}, flat list)."
        else:
            message = (
                f"Wrote the annex of plan {plan_obj.code} to {target}: {len(summary['sheets'])} sheets "
                f"({', '.join(summary['sheets'])}), {summary['rows']} project rows."
            )
        self.stdout.write(self.style.SUCCESS(message))
