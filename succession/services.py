"""The next plan from the last: a new plan that starts with what its predecessor already knows.

The succession sits above plans, projects and indicators (it copies from all three),
so it is its own floor, between rollups and importers | indicators in .importlinter.
Every door (the `create_plan --from` command, the Plan admin's action) calls
`plan_succeed`; the new plan itself is made by plans.services.plan_create.

Copied: the categories, the implementing units with every spelling (their keys
recomputed by the new plan's own unit rule), the places (banner → townships →
villages), the indicator definitions and, on request, the memberships. Not
copied: projects, budgets, stated figures, indicator values, reviews.

An indicator's target is NOT NULL and every page, chart, export and the API read
it as a number. So the old target is carried over as a placeholder, its target
year moved by the plans' offset, and its source starts with TARGET_TO_FILL, which
every page showing the source shows and `pending_targets()` finds, until someone
enters the new plan's figure (indicators.services.indicator_update).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators.models import Indicator
from plans.access import SYSTEM, VIEW, require, require_superuser
from plans.models import Category, Plan, PlanMembership
from plans.services import membership_set, plan_create
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import unit_key_function

TARGET_TO_FILL = "沿用上期目标，待填写"


@dataclass
class Succession:
    """What plan_succeed made: the new plan and how much it took over."""

    plan: Plan
    source: Plan
    categories: int = 0
    units: int = 0
    spellings: int = 0
    places: int = 0
    indicators: int = 0
    members: int = 0
    # Spellings of the old plan that the new plan's unit rule reads as another unit's (not copied).
    spellings_merged: list[str] = field(default_factory=list)
    # Members not copied: the acting user (nobody gives themselves a role).
    members_skipped: list[str] = field(default_factory=list)


def pending_targets(plan: Plan):
    """The plan's indicators whose target is still the predecessor's, waiting for the new figure."""
    return Indicator.objects.filter(plan=plan, source__startswith=TARGET_TO_FILL)


def _pending_source(source: str) -> str:
    limit = Indicator._meta.get_field("source").max_length
    text = f"{TARGET_TO_FILL}（上期：{source}）" if source else TARGET_TO_FILL
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def plan_succeed(
    *,
    user,
    source: Plan,
    code: str,
    name: str,
    first_year: int,
    last_year: int,
    county: str | None = None,
    partner: str | None = None,
    with_members: bool = False,
) -> Succession:
    """A new plan `code` following `source`, with its categories, units, places and indicator definitions.

    Superusers (and the shell) only, like plan_create. Refused, with nothing written,
    when a plan `code` exists or the new years do not come after the source's.
    """
    require_superuser(user)
    require(user, source, VIEW)
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A plan with the code “%(code)s” already exists: nothing was copied.")
                               % {"code": code}})
    if first_year is not None and first_year <= source.last_year:
        raise ValidationError({"first_year": _("The next plan starts after %(last)s, the last year of “%(plan)s”.")
                               % {"last": source.last_year, "plan": source}})
    categories = tuple(Category.objects.filter(plan=source).order_by("order", "id")
                       .values_list("code", "name_zh", "name_en"))
    try:
        with transaction.atomic():
            plan = plan_create(user=user, code=code, name=name, county=county or source.county,
                               partner=partner or source.partner, first_year=first_year, last_year=last_year,
                               categories=categories)
    except IntegrityError:  # a plan of this code committed since the check above
        raise ValidationError({"code": _("A plan with the code “%(code)s” already exists: nothing was copied.")
                               % {"code": code}}) from None
    plan.follows = source
    plan.full_clean()
    plan.save(update_fields=["follows"])
    result = Succession(plan=plan, source=source, categories=len(categories))
    _copy_units(source, plan, result)
    _copy_places(source, plan, result)
    _copy_indicators(source, plan, result)
    if with_members:
        _copy_members(source, plan, result, user)
    return result


def _copy_units(source: Plan, plan: Plan, result: Succession) -> None:
    units = list(ImplementingUnit.objects.filter(plan=source).order_by("name"))
    new_units = ImplementingUnit.objects.bulk_create(ImplementingUnit(plan=plan, name=unit.name) for unit in units)
    new_id = {old.pk: new.pk for old, new in zip(units, new_units, strict=True)}
    key_of = unit_key_function(plan)
    aliases, seen = [], set()
    for alias in UnitAlias.objects.filter(plan=source).order_by("unit_id", "id"):
        key = key_of(alias.spelling)
        if key in seen:
            result.spellings_merged.append(alias.spelling)
            continue
        seen.add(key)
        aliases.append(UnitAlias(plan=plan, unit_id=new_id[alias.unit_id], spelling=alias.spelling, key=key))
    UnitAlias.objects.bulk_create(aliases)
    result.units, result.spellings = len(new_units), len(aliases)


def _copy_places(source: Plan, plan: Plan, result: Succession) -> None:
    """Level by level, so each place's parent exists before it (Place.parent is PROTECT, never NULL below the top)."""
    new_id: dict[int, int] = {}
    level = list(Place.objects.filter(plan=source, parent__isnull=True).order_by("id"))
    while level:
        made = Place.objects.bulk_create(
            Place(plan=plan, kind=place.kind, parent_id=new_id.get(place.parent_id),
                  # The banner is named after the plan's county (projects.services.banner_of looks it up so).
                  name=plan.county if place.kind == Place.Kind.BANNER and place.name == source.county else place.name)
            for place in level
        )
        new_id.update({old.pk: new.pk for old, new in zip(level, made, strict=True)})
        result.places += len(made)
        level = list(Place.objects.filter(plan=source, parent_id__in=[place.pk for place in level]).order_by("id"))


def _copy_indicators(source: Plan, plan: Plan, result: Succession) -> None:
    shift = plan.first_year - source.first_year
    copies = []
    for old in Indicator.objects.filter(plan=source).order_by("-kind", "seq", "id"):
        copy = Indicator(
            plan=plan, kind=old.kind, key=old.key, seq=old.seq, name=old.name, unit=old.unit, target=old.target,
            target_year=min(max(old.target_year + shift, plan.first_year), plan.last_year),
            attribute=old.attribute, direction=old.direction, source=_pending_source(old.source),
        )
        copy.full_clean(validate_unique=False, validate_constraints=False)  # the source plan's rows are unique
        copies.append(copy)
    Indicator.objects.bulk_create(copies)
    result.indicators = len(copies)


def _copy_members(source: Plan, plan: Plan, result: Succession, user) -> None:
    for membership in PlanMembership.objects.filter(plan=source).select_related("user").order_by("id"):
        if user is not SYSTEM and membership.user_id == user.pk:
            result.members_skipped.append(membership.user.get_username())
            continue
        membership_set(plan=plan, member=membership.user, role=membership.role, user=user)
        result.members += 1
