from django.core.management.base import BaseCommand

from portal.bundled import bundled_plan_ensure


class Command(BaseCommand):
    help = "Create the bundled plan (keyouzhongqi-2021-2025) with its annex, stated figures and indicators, once."

    def handle(self, *args, **options):
        plan, created = bundled_plan_ensure()
        if created:
            projects = plan.projects.count()
            self.stdout.write(self.style.SUCCESS(f"Created {plan.code}: {projects} projects."))
        else:
            self.stdout.write(f"{plan.code} is already there: nothing to do.")
