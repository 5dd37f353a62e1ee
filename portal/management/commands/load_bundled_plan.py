from django.core.management.base import BaseCommand

from planportal import background
from portal.bundled import bundled_plan_ensure
from projects.models import Project


class Command(BaseCommand):
    help = ("Create the bundled plan (keyouzhongqi-2021-2025) with its annex, stated figures, indicators and its "
            "banner's village list, once; run again, it loads a changed village list and places follow.")

    def handle(self, *args, **options):
        with background.inline():  # the recompute changed places ask for runs before the command ends
            plan, created = bundled_plan_ensure()
        projects = Project.objects.filter(plan=plan)
        placed = projects.filter(township__isnull=False).count()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {plan.code}: {projects.count()} projects, "
                                                 f"{placed} with their township."))
        else:
            self.stdout.write(f"{plan.code} is already there ({placed} of {projects.count()} projects with their "
                              f"township).")
