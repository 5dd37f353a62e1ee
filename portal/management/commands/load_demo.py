from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans.access import SYSTEM
from plans.models import PlanMembership
from plans.services import membership_set
from portal.bundled import bundled_plan_ensure

DEMO_PASSWORD = "planportal-demo"
DEMO_USERS = [
    # username, role on the bundled plan, superuser?
    ("staff", PlanMembership.Role.STAFF, False),
    ("liaison", PlanMembership.Role.LIAISON, False),
    ("admin", PlanMembership.Role.ADMIN, True),
]


class Command(BaseCommand):
    help = "Load the bundled plan and the demo users staff, liaison and admin (password planportal-demo). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo creates users with a published password: it only runs with DEBUG on.")
        with transaction.atomic():
            plan, created = bundled_plan_ensure()
            User = get_user_model()
            for username, role, superuser in DEMO_USERS:
                user, user_created = User.objects.get_or_create(username=username)
                if user_created:
                    user.set_password(DEMO_PASSWORD)
                user.is_superuser = superuser
                user.is_staff = True
                user.save()
                membership_set(plan=plan, member=user, role=role, user=SYSTEM)
        state = "created" if created else "already there"
        self.stdout.write(self.style.SUCCESS(f"Bundled plan {plan.code}: {state}. Demo users: staff, liaison, admin."))
