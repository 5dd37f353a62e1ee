from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.access import ADMIN, SYSTEM, require
from plans.models import Plan, PlanMembership
from plans.services import membership_grant, membership_remove

ROLES = PlanMembership.Role.values


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def _plan(code: str) -> Plan:
    try:
        return Plan.objects.get(code=code)
    except Plan.DoesNotExist:
        raise CommandError(f"No plan with code {code!r}. Existing codes: "
                           f"{', '.join(Plan.objects.values_list('code', flat=True)) or '(none)'}") from None


class Command(BaseCommand):
    help = ("Give a user a role on a plan (creating the account when there is none), or revoke it with --remove. "
            "Runs as the system unless --as names an administrator of the plan.")

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user to give the role to (or to remove from the plan)")
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--role", choices=ROLES, help="the role on the plan: " + ", ".join(ROLES))
        parser.add_argument("--password", help="password of a new account (needed when the user does not exist)")
        parser.add_argument("--remove", action="store_true", help="revoke the user's membership of the plan")
        parser.add_argument("--as", dest="acting", metavar="USERNAME",
                            help="act as this user (an administrator of the plan) instead of the system")

    def handle(self, *args, username, plan, role, password, remove, acting, **options):
        plan_obj = _plan(plan)
        if remove and (role or password):
            raise CommandError("--remove takes no --role or --password: it revokes the membership.")
        if not remove and not role:
            raise CommandError(f"Give --role ({', '.join(ROLES)}), or --remove to revoke the membership.")
        actor = self._actor(acting, plan_obj)
        try:
            if remove:
                self._remove(plan_obj, username, actor)
            else:
                self._grant(plan_obj, username, role, password, actor)
        except PermissionDenied as refused:
            raise CommandError(f"{acting or 'system'}: {refused}") from None
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None

    def _actor(self, acting, plan_obj):
        if not acting:
            return SYSTEM
        actor = get_user_model().objects.filter(username=acting).first()
        if actor is None:
            raise CommandError(f"No user {acting!r} (--as).")
        try:
            require(actor, plan_obj, ADMIN)
        except PermissionDenied as refused:
            raise CommandError(f"{acting}: {refused}") from None
        return actor

    def _grant(self, plan_obj, username, role, password, actor):
        before = (PlanMembership.objects.filter(plan=plan_obj, user__username=username.strip())
                  .values_list("role", flat=True).first())
        membership, created = membership_grant(plan=plan_obj, username=username, role=role, user=actor,
                                               password=password)
        name = membership.user.get_username()
        if created:
            message = f"Created user {name} and gave them the role {role} on plan {plan_obj.code}."
        elif before is None:
            message = f"Gave {name} the role {role} on plan {plan_obj.code}."
        elif before == role:
            message = f"{name} already has the role {role} on plan {plan_obj.code}: nothing changed."
        else:
            message = f"Changed the role of {name} on plan {plan_obj.code} from {before} to {role}."
        self.stdout.write(self.style.SUCCESS(message))

    def _remove(self, plan_obj, username, actor):
        member = get_user_model().objects.filter(username=username.strip()).first()
        if member is None:
            raise CommandError(f"No user {username!r}.")
        membership = PlanMembership.objects.filter(plan=plan_obj, user=member).first()
        if membership is None:
            raise CommandError(f"{member.get_username()} is not a member of plan {plan_obj.code}: nothing to remove.")
        old_role = membership.role
        membership_remove(membership=membership, user=actor)
        self.stdout.write(self.style.SUCCESS(
            f"Removed {member.get_username()} (role {old_role}) from plan {plan_obj.code}."))
