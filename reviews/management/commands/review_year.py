from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan, PlanYear
from reviews.services import STEPS, figures_text, year_step

ACTIONS = list(STEPS)


class Command(BaseCommand):
    help = ("Take a review step on a plan's year as a user: submit (staff), approve, return or reopen "
            "(liaison officers); return and reopen need --reason. With --confirm CODE (the check code the "
            "confirmation page and the sign-off sheet show) the step is refused if the year's figures are no "
            "longer those; the figures the step was taken on and their code are printed either way.")

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--year", required=True, type=int, help="the year, e.g. 2023")
        parser.add_argument("--action", required=True, choices=list(ACTIONS))
        parser.add_argument("--user", required=True, help="the user taking the step (their role is checked)")
        parser.add_argument("--reason", default="", help="why (needed to return or reopen; a note otherwise)")
        parser.add_argument("--confirm", default=None, metavar="CODE",
                            help="the check code of the figures you confirm: refused if they have changed since")

    def handle(self, *args, plan, year, action, user, reason, confirm=None, **options):
        try:
            plan_obj = Plan.objects.get(code=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with code {plan!r}. Existing codes: "
                               f"{', '.join(Plan.objects.values_list('code', flat=True)) or '(none)'}") from None
        plan_year = PlanYear.objects.filter(plan=plan_obj, year=year).select_related("plan").first()
        if plan_year is None:
            raise CommandError(f"Plan {plan_obj.code} has no year {year}: its years are "
                               f"{plan_obj.first_year}–{plan_obj.last_year}.")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        before = plan_year.get_review_status_display()
        try:
            event = year_step(action=action, plan_year=plan_year, user=actor, text=reason or "",
                              confirmed=(confirm or "").strip() or None)
        except PermissionDenied as refused:
            raise CommandError(f"{user}: {refused}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        plan_year.refresh_from_db(fields=["review_status"])
        self.stdout.write(self.style.SUCCESS(
            f"{plan_obj.code} {year}: {action} by {actor.get_username()} ({before} → "
            f"{plan_year.get_review_status_display()}); the year is now {plan_year.review_status}."))
        self.stdout.write(f"{year}: {figures_text(event.snapshot)}; check code {event.snapshot.get('digest')}")

