"""Writes to plans: creation with its years and categories, year changes, members."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.categories import DEFAULT_CATEGORIES
from plans.models import Category, Plan, PlanMembership, PlanYear


@transaction.atomic
def plan_create(
    *,
    code: str,
    name: str,
    county: str,
    partner: str,
    first_year: int,
    last_year: int,
    categories: tuple[tuple[str, str, str], ...] = DEFAULT_CATEGORIES,
) -> Plan:
    """A new plan with one PlanYear per year, its categories and its banner as the top place."""
    from projects.models import Place

    plan = Plan(code=code, name=name, county=county, partner=partner, first_year=first_year, last_year=last_year)
    plan.full_clean()
    plan.save()
    PlanYear.objects.bulk_create(PlanYear(plan=plan, year=year) for year in plan.years)
    Category.objects.bulk_create(
        Category(plan=plan, code=cat_code, name_zh=zh, name_en=en, order=index)
        for index, (cat_code, zh, en) in enumerate(categories, start=1)
    )
    Place.objects.create(plan=plan, kind=Place.Kind.BANNER, name=county)
    return plan


@transaction.atomic
def plan_set_years(*, plan: Plan, first_year: int, last_year: int) -> Plan:
    """Change a plan's years; a year that still has budgets cannot be dropped."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan.first_year, plan.last_year = first_year, last_year
    plan.full_clean()
    dropped = PlanYear.objects.filter(plan=plan).exclude(year__in=list(plan.years))
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
    return plan


@transaction.atomic
def membership_set(*, plan: Plan, user, role: str) -> PlanMembership:
    """Give a user a role on a plan; the user joins that role's group and may use the admin."""
    from plans.roles import role_groups_sync

    if role not in PlanMembership.Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    membership, _created = PlanMembership.objects.update_or_create(plan=plan, user=user, defaults={"role": role})
    groups = role_groups_sync()
    user.groups.add(groups[role])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


class YearLocked(ValidationError):
    """A change that would touch an approved (locked) year."""


def ensure_years_editable(plan_years) -> None:
    """Refuse any change to budgets of an approved year: it stays as signed off until reopened."""
    locked = sorted({py.year for py in plan_years if py.review_status == PlanYear.Review.APPROVED})
    if locked:
        raise YearLocked(
            _("%(years)s has been approved and is locked: ask the liaison officer to reopen it first.")
            % {"years": "、".join(str(y) for y in locked)},
            code="year_locked",
        )
