from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from reviews.services import figures_text, plan_close


class Command(BaseCommand):
    help = ("Close a plan whose every year is approved, as one of its administrators: nothing of it changes any "
            "more until an administrator reopens a year (review_year --action reopen --reason …). With --confirm "
            "CODE (the check code the closing page shows) it is refused if the figures have changed since.")

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--user", required=True, help="the plan administrator closing it (their role is checked)")
        parser.add_argument("--note", default="", help="a note kept with the closing")
        parser.add_argument("--confirm", default=None, metavar="CODE",
                            help="the check code of the figures you confirm: refused if they have changed since")

    def handle(self, *args, plan, user, note, confirm=None, **options):
        plan_obj = Plan.objects.filter(code=plan).first()
        if plan_obj is None:
            raise CommandError(f"No plan with code {plan!r}. Existing codes: "
                               f"{', '.join(Plan.objects.values_list('code', flat=True)) or '(none)'}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        try:
            event = plan_close(plan=plan_obj, user=actor, note=note, confirmed=(confirm or "").strip() or None)
        except PermissionDenied as refused:
            raise CommandError(f"{user}: {refused}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{plan_obj.code}: closed by {actor.get_username()} at {event.at:%Y-%m-%d %H:%M}."))
        for year, snapshot in event.snapshot["years"].items():
            self.stdout.write(f"{year}: {figures_text(snapshot)}")
        self.stdout.write(f"check code {event.snapshot['digest']}")
