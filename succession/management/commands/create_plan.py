"""`create_plan CODE --name NAME --years 2026-2030 [--from OLD [--with-members]]`.

Lives in the succession app (above plans, projects and indicators) because --from
copies from all three; without --from it is plans.services.plan_create alone.
"""

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.access import SYSTEM
from plans.models import Plan
from plans.services import plan_create
from succession.services import TARGET_TO_FILL, plan_succeed


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*[-–—~]\s*(\d{4})\s*", text)
    if not match:
        raise CommandError(f"--years {text!r}: write the plan's years as FIRST-LAST, e.g. 2021-2025.")
    first, last = int(match[1]), int(match[2])
    if first > last:
        raise CommandError(f"--years {text!r}: the first year comes after the last.")
    return first, last


def _refusal(exc: ValidationError) -> CommandError:
    if hasattr(exc, "error_dict"):
        return CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
    return CommandError(" ".join(exc.messages))


class Command(BaseCommand):
    help = ("Create a plan with its years and the nine default categories; with --from OLD, the next plan of OLD "
            "with OLD's categories, implementing units (every spelling), places and indicator definitions.")

    def add_arguments(self, parser):
        parser.add_argument("code", help="short code, e.g. keyouzhongqi-2026-2030")
        parser.add_argument("--name", required=True)
        parser.add_argument("--years", required=True, help="e.g. 2026-2030")
        parser.add_argument("--county", default=None, help="default 科右中旗, or the --from plan's")
        parser.add_argument("--partner", default=None, help="default 海淀区, or the --from plan's")
        parser.add_argument("--from", dest="source", metavar="OLD", default=None,
                            help="code of the plan this one follows: copy what it knows")
        parser.add_argument("--with-members", action="store_true", help="with --from: give OLD's members the "
                            "same roles on the new plan")

    def handle(self, *args, code, name, years, county, partner, source, with_members, **options):
        first, last = _years(years)
        if Plan.objects.filter(code=code).exists():
            raise CommandError(f"A plan with code {code!r} already exists: nothing was created or copied.")
        if with_members and not source:
            raise CommandError("--with-members copies the members of the --from plan: name it with --from.")
        if source is None:
            try:
                plan = plan_create(user=SYSTEM, code=code, name=name, county=county or "科右中旗",
                                   partner=partner or "海淀区", first_year=first, last_year=last)
            except ValidationError as exc:
                raise _refusal(exc) from exc
            self.stdout.write(self.style.SUCCESS(f"Created plan {plan.code}: {plan}"))
            return
        old = Plan.objects.filter(code=source).first()
        if old is None:
            raise CommandError(f"--from {source!r}: there is no plan with this code.")
        try:
            made = plan_succeed(user=SYSTEM, source=old, code=code, name=name, first_year=first, last_year=last,
                                county=county, partner=partner, with_members=with_members)
        except ValidationError as exc:
            raise _refusal(exc) from exc
        self.stdout.write(self.style.SUCCESS(f"Created plan {made.plan.code}: {made.plan}, following {old.code}"))
        self.stdout.write(
            f"  {made.categories} categories, {made.units} implementing units with {made.spellings} spellings, "
            f"{made.places} places, {made.indicators} indicators (targets to fill in: marked “{TARGET_TO_FILL}”)"
            + (f", {made.members} members" if with_members else "")
        )
        for spelling in made.spellings_merged:
            self.stdout.write(f"  spelling {spelling!r}: the new plan reads it as another unit's; not copied")
        for username in made.members_skipped:
            self.stdout.write(f"  member {username!r}: not copied (nobody gives themselves a role)")
