import time

from django.core.management.base import BaseCommand, CommandError

from plans.models import PlanMembership
from portal.synthetic import synthetic_generate


def _member(text: str) -> tuple[str, str]:
    username, _, role = text.partition(":")
    if not username or role not in PlanMembership.Role.values:
        raise CommandError(f"--member {text!r}: write USERNAME:ROLE, the role one of "
                           f"{', '.join(PlanMembership.Role.values)}")
    return username, role


class Command(BaseCommand):
    help = ("Add synthetic plans shaped like real ones (units with their spellings, townships and villages, "
            "multi-year projects and their yearly budgets, stated figures of which some disagree, years in every "
            "review state), then recompute their totals. For benchmarks and scale tests; a second call adds more.")

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, required=True, help="how many plans to add")
        parser.add_argument("--budgets-per-plan", type=int, default=1000, help="yearly budgets per plan (1000)")
        parser.add_argument("--prefix", default="synthetic", help="plan codes: PREFIX-0001 … (synthetic)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same world (1)")
        parser.add_argument("--member", action="append", default=[], metavar="USERNAME:ROLE",
                            help="give this user (created when missing, no password) a role on every new plan")
        parser.add_argument("--no-recompute", action="store_true",
                            help="leave the totals and checks to the next recompute")

    def handle(self, *args, **options):
        if options["plans"] < 1 or options["budgets_per_plan"] < 1:
            raise CommandError("--plans and --budgets-per-plan must be at least 1.")
        members = tuple(_member(text) for text in options["member"])
        started = time.perf_counter()
        world = synthetic_generate(
            plans=options["plans"], budgets_per_plan=options["budgets_per_plan"], prefix=options["prefix"],
            seed=options["seed"], members=members, recompute=not options["no_recompute"],
            progress=lambda text: self.stdout.write(f"  {text}"),
        )
        self.stdout.write(self.style.SUCCESS(
            f"Added {len(world.plans)} plans, {world.projects} projects, {world.budgets} budgets, "
            f"{world.stated_figures} stated figures ({world.disagreements_planted} disagreeing) "
            f"in {time.perf_counter() - started:.1f} s."))
