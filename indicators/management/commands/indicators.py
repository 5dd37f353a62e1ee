"""`manage.py indicators --plan CODE [--json]`: every indicator of a plan with its latest value and status."""

import json

from django.core.management.base import BaseCommand, CommandError

from indicators.numbers import plain_number
from indicators.overview import overview_rows
from plans.models import Plan


def _decimal(value) -> str | None:
    return None if value is None else plain_number(value)


def indicator_records(plan: Plan) -> list[dict]:
    """The JSON shape: decimals as strings (exact, no float), missing values as null."""
    records = []
    for row in overview_rows(plan=plan):
        indicator, progress = row.indicator, row.progress
        records.append({
            "name": indicator.name,
            "unit": indicator.unit,
            "target": _decimal(indicator.target),
            "target_year": indicator.target_year,
            "attribute": indicator.attribute,
            "direction": indicator.direction,
            "latest_value": _decimal(progress.latest_value),
            "latest_year": progress.latest_year,
            "percent": _decimal(progress.percent),
            "status": progress.status,
            "missing_this_year": progress.missing_this_year,
            "kind": indicator.kind,
            "key": indicator.key,
            "derived_value": _decimal(row.derived_value),
        })
    return records


class Command(BaseCommand):
    help = "List a plan's indicators with their latest value, percent of target and status."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's code, e.g. keyouzhongqi-2021-2025")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=options["plan"]).first()
        if plan is None:
            raise CommandError(f"No plan with code {options['plan']!r}.")
        records = indicator_records(plan)
        if options["json"]:
            self.stdout.write(json.dumps({"plan": plan.code, "indicators": records}, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{plan.name} ({plan.code})")
        header = ("kind", "name", "unit", "target", "attribute", "latest", "year", "%", "derived", "status")
        lines = [header] + [
            (
                r["kind"], r["name"], r["unit"], f"{r['direction']} {r['target']}", r["attribute"],
                r["latest_value"] or "-", str(r["latest_year"] or "-"), r["percent"] or "-",
                r["derived_value"] or "-", r["status"] + (" !no value this year" if r["missing_this_year"] else ""),
            )
            for r in records
        ]
        widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            self.stdout.write("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(line)).rstrip())


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
