"""Writes to plans: creation with its years and categories, changes of its years, categories and members.

Every function takes the acting `user` (a User, or plans.access.SYSTEM for the shell)
and checks their role on the plan itself: pages, the API, the admin and the
commands all come through here.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from planportal.fields import known_fields
from plans.access import ADMIN, SYSTEM, require, require_open, require_superuser
from plans.categories import DEFAULT_CATEGORIES
from plans.hooks import totals_changed
from plans.locks import ensure_years_editable
from plans.models import Category, Plan, PlanMembership, PlanYear

PLAN_FIELDS = {"name", "county", "partner", "first_year", "last_year"}
CATEGORY_FIELDS = {"code", "name_zh", "name_en", "order"}


@transaction.atomic
def plan_create(
    *,
    user,
    code: str,
    name: str,
    county: str,
    partner: str,
    first_year: int,
    last_year: int,
    categories: tuple[tuple[str, str, str], ...] = DEFAULT_CATEGORIES,
) -> Plan:
    """A new plan with one PlanYear per year and its categories. Superusers (and the shell) only."""
    require_superuser(user)
    plan = Plan(code=code, name=name, county=county, partner=partner, first_year=first_year, last_year=last_year)
    plan.full_clean()
    plan.save()
    PlanYear.objects.bulk_create(PlanYear(plan=plan, year=year) for year in plan.years)
    Category.objects.bulk_create(
        Category(plan=plan, code=cat_code, name_zh=zh, name_en=en, order=index)
        for index, (cat_code, zh, en) in enumerate(categories, start=1)
    )
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, user, **changes) -> Plan:
    """Change a plan's name, banner, partner or years (its administrators).

    A year that still has budgets, or that is approved, cannot be dropped.
    """
    known_fields(changes, PLAN_FIELDS, "plan_update")
    require(user, plan, ADMIN)
    require_open(plan.pk)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    for field, value in changes.items():
        setattr(plan, field, value)
    plan.full_clean()
    dropped = PlanYear.objects.filter(plan=plan).exclude(year__in=list(plan.years))
    ensure_years_editable(dropped)
    busy = sorted(dropped.filter(budgets__isnull=False).values_list("year", flat=True).distinct())
    if busy:
        raise ValidationError(
            _("Years %(years)s still have budgets: move or delete them before shortening the plan.")
            % {"years": ", ".join(map(str, busy))}
        )
    dropped.delete()
    existing = set(PlanYear.objects.filter(plan=plan).values_list("year", flat=True))
    PlanYear.objects.bulk_create(PlanYear(plan=plan, year=y) for y in plan.years if y not in existing)
    plan.save()
    totals_changed(plan.pk)
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, user) -> None:
    """Delete a plan with everything of it (superusers only); refused while one of its years is approved."""
    require_superuser(user)
    ensure_years_editable(PlanYear.objects.filter(plan=plan))
    try:
        Plan.objects.filter(pk=plan.pk).delete()
    except (ProtectedError, IntegrityError) as exc:
        raise ValidationError(_("This plan cannot be deleted: %(reason)s") % {"reason": exc}) from exc


def _category_saved(category: Category) -> Category:
    category.full_clean()
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise ValidationError(_("The plan already has a category with this code or name.")) from exc
    totals_changed(category.plan_id)
    return category


@transaction.atomic
def category_create(*, plan: Plan, user, code: str, name_zh: str, name_en: str = "", order: int = 0) -> Category:
    require(user, plan, ADMIN)
    require_open(plan.pk)
    return _category_saved(Category(plan=plan, code=code, name_zh=name_zh, name_en=name_en, order=order))


@transaction.atomic
def category_update(*, category: Category, user, **changes) -> Category:
    known_fields(changes, CATEGORY_FIELDS, "category_update")
    require(user, category.plan_id, ADMIN)
    require_open(category.plan_id)
    current = Category.objects.select_for_update().get(pk=category.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    return _category_saved(current)


@transaction.atomic
def category_delete(*, category: Category, user) -> None:
    require(user, category.plan_id, ADMIN)
    require_open(category.plan_id)
    try:
        Category.objects.filter(pk=category.pk).delete()
    except ProtectedError:
        raise ValidationError(_("The category “%(name)s” still has projects or stated figures: move them first.")
                              % {"name": category.name_zh}) from None
    totals_changed(category.plan_id)


def _not_oneself(*, member, user) -> None:
    if user is not SYSTEM and getattr(user, "pk", None) == member.pk:
        raise PermissionDenied(_("Nobody changes their own role: ask another administrator of the plan."))


@transaction.atomic
def membership_set(*, plan: Plan, member, role: str, user) -> PlanMembership:
    """Give `member` a role on a plan (the plan's administrators; nobody changes their own role).

    The role decides everything the member may do from their next request on; they
    may sign in to the administration, which shows them their plans only.
    """
    require(user, plan, ADMIN)
    _not_oneself(member=member, user=user)
    if role not in PlanMembership.Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    membership, _created = PlanMembership.objects.update_or_create(plan=plan, user=member, defaults={"role": role})
    if not member.is_staff:
        member.is_staff = True
        member.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def membership_remove(*, membership: PlanMembership, user) -> None:
    require(user, membership.plan_id, ADMIN)
    _not_oneself(member=membership.user, user=user)
    PlanMembership.objects.filter(pk=membership.pk).delete()


@transaction.atomic
def membership_grant(*, plan: Plan, username: str, role: str, user, password: str | None = None):
    """Give the user named `username` a role on the plan, creating the account when there is none.

    A new account needs a password (checked by the site's password rules). Returns
    (membership, created). Used by the administration's member forms and `grant_role`.
    """
    require(user, plan, ADMIN)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Type the user name.")})
    User = get_user_model()
    member = User.objects.filter(username=username).first()
    created = member is None
    if created:
        if not password:
            raise ValidationError({"password": _("There is no user “%(name)s” yet: give a password to create "
                                                 "the account.") % {"name": username}})
        member = User(username=username, is_staff=True)
        member.full_clean(exclude=["password"])
        validate_password(password, member)
        member.set_password(password)
        member.save()
    return membership_set(plan=plan, member=member, role=role, user=user), created
