import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.access import SYSTEM
from plans.models import Plan
from plans.services import plan_create


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*[-–—~]\s*(\d{4})\s*", text)
    if not match:
        raise CommandError(f"--years {text!r}: write the plan's years as FIRST-LAST, e.g. 2021-2025.")
    first, last = int(match[1]), int(match[2])
    if first > last:
        raise CommandError(f"--years {text!r}: the first year comes after the last.")
    return first, last


class Command(BaseCommand):
    help = "Create a plan with its years and the nine default categories."

    def add_arguments(self, parser):
        parser.add_argument("code", help="short code, e.g. keyouzhongqi-2021-2025")
        parser.add_argument("--name", required=True)
        parser.add_argument("--years", required=True, help="e.g. 2021-2025")
        parser.add_argument("--county", default="科右中旗")
        parser.add_argument("--partner", default="海淀区")

    def handle(self, *args, code, name, years, county, partner, **options):
        first, last = _years(years)
        if Plan.objects.filter(code=code).exists():
            raise CommandError(f"A plan with code {code!r} already exists.")
        try:
            plan = plan_create(
                user=SYSTEM, code=code, name=name, county=county, partner=partner, first_year=first, last_year=last
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Created plan {plan.code}: {plan}"))
