"""Writes to projects, implementing units and places."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from planportal.lib.names import DEFAULT_COUNTY_NAMES, unit_key
from planportal.lib.places import KEYOUZHONGQI_TOWNSHIP_ALIASES, KEYOUZHONGQI_TOWNSHIPS, parse_place
from plans.models import Category, Plan
from planportal.concurrency import check_version
from projects.models import ImplementingUnit, Place, Project, UnitAlias


def request_recompute(plan_id: int) -> None:
    """Totals and disagreements follow every change (rollups app)."""
    from rollups.services import request_recompute as request

    request(plan_id)


def plan_gazetteer(plan: Plan) -> dict:
    """What place recognition knows of this plan's banner: its townships and other spellings.

    Only a curated list may be passed as a gazetteer (with one, only its names are
    townships); for other banners recognition falls back on 苏木/镇/乡 suffixes.
    """
    if plan.county in DEFAULT_COUNTY_NAMES:
        return {"townships": KEYOUZHONGQI_TOWNSHIPS, "aliases": KEYOUZHONGQI_TOWNSHIP_ALIASES,
                "banners": DEFAULT_COUNTY_NAMES}
    return {"townships": None, "aliases": None, "banners": (plan.county,)}


def plan_unit_key(plan: Plan, spelling: str) -> str:
    """The matching key of a unit spelling in this plan (its banner's names and township spellings)."""
    gazetteer = plan_gazetteer(plan)
    return unit_key(spelling, gazetteer["banners"], aliases=gazetteer["aliases"])


def unit_for_spelling(*, plan: Plan, spelling: str) -> tuple[ImplementingUnit | None, bool]:
    """The unit a spelling stands for, creating it when no alias matches.

    Returns (unit, created). Blank spellings give (None, False).
    """
    spelling = (spelling or "").strip()
    if not spelling:
        return None, False
    key = plan_unit_key(plan, spelling)
    alias = UnitAlias.objects.filter(plan=plan, key=key).select_related("unit").first()
    if alias is not None:
        return alias.unit, False
    with transaction.atomic():
        unit, created = ImplementingUnit.objects.get_or_create(plan=plan, name=" ".join(spelling.split()))
        UnitAlias.objects.create(plan=plan, unit=unit, spelling=spelling, key=key)
    return unit, created


def unit_add_alias(*, unit: ImplementingUnit, spelling: str) -> UnitAlias:
    """Teach the plan another spelling of a unit; refused when it already names another unit."""
    key = plan_unit_key(unit.plan, spelling)
    existing = UnitAlias.objects.filter(plan_id=unit.plan_id, key=key).select_related("unit").first()
    if existing is not None:
        if existing.unit_id == unit.pk:
            return existing
        raise ValidationError(
            _("“%(spelling)s” already stands for the unit “%(other)s”.") % {"spelling": spelling, "other": existing.unit}
        )
    return UnitAlias.objects.create(plan_id=unit.plan_id, unit=unit, spelling=spelling.strip(), key=key)


@transaction.atomic
def unit_merge(*, keep: ImplementingUnit, merge: ImplementingUnit) -> ImplementingUnit:
    """Fold `merge` into `keep`: its projects and spellings move over, it disappears."""
    if keep.plan_id != merge.plan_id:
        raise ValidationError(_("Units of different plans cannot be merged."))
    if keep.pk == merge.pk:
        return keep
    Project.objects.filter(unit=merge).update(unit=keep)
    UnitAlias.objects.filter(unit=merge).update(unit=keep)
    merge.delete()
    request_recompute(keep.plan_id)
    return keep


def places_for_location(*, plan: Plan, location_text: str) -> tuple[Place | None, Place | None]:
    """(township, village) recognised in a location text, created under the plan's banner as needed.

    Nothing is guessed: a text that names no township gives (None, None), a
    text naming another banner gives nothing of this one, and the raw text
    always stays on the project.
    """
    ids = places_for_locations(plan=plan, texts=[location_text or ""])[location_text or ""]
    places = Place.objects.in_bulk([pk for pk in ids if pk])
    return places.get(ids[0]), places.get(ids[1])


def places_for_locations(*, plan: Plan, texts) -> dict[str, tuple[int | None, int | None]]:
    """For many location texts at once: text → (township id, village id), in a few queries.

    Recognition is pure and cached per text; missing places are created in bulk,
    townships first so villages can hang under them.
    """
    gazetteer = plan_gazetteer(plan)
    parsed = {}
    for text in set(texts):
        place = parse_place(text, gazetteer["townships"], aliases=gazetteer["aliases"], banners=gazetteer["banners"])
        foreign = place.banner and place.banner not in gazetteer["banners"]
        parsed[text] = (None, None) if foreign else (place.township, place.village)
    wanted_towns = {town for town, _village in parsed.values() if town}
    wanted_villages = {(town, village) for town, village in parsed.values() if village}
    if not wanted_towns and not wanted_villages:
        return {text: (None, None) for text in parsed}
    banner, _created = Place.objects.get_or_create(plan=plan, kind=Place.Kind.BANNER, name=plan.county, parent=None)
    towns = dict(Place.objects.filter(plan=plan, kind=Place.Kind.TOWNSHIP, parent=banner).values_list("name", "pk"))
    missing = sorted(wanted_towns - set(towns))
    for place in Place.objects.bulk_create(
        Place(plan=plan, kind=Place.Kind.TOWNSHIP, name=name, parent=banner) for name in missing
    ):
        towns[place.name] = place.pk
    villages = {
        (parent_id, name): pk
        for parent_id, name, pk in Place.objects.filter(plan=plan, kind=Place.Kind.VILLAGE).values_list(
            "parent_id", "name", "pk")
    }
    wanted_keys = {(towns[town] if town else banner.pk, village) for town, village in wanted_villages}
    new = [Place(plan=plan, kind=Place.Kind.VILLAGE, name=name, parent_id=parent_id)
           for parent_id, name in sorted(wanted_keys - set(villages))]
    for place in Place.objects.bulk_create(new):
        villages[(place.parent_id, place.name)] = place.pk
    result = {}
    for text, (town, village) in parsed.items():
        town_id = towns[town] if town else None
        village_id = villages[(town_id or banner.pk, village)] if village else None
        result[text] = (town_id, village_id)
    return result


_PROJECT_FIELDS = {"name", "nature", "category", "unit", "location_text", "description", "status"}


@transaction.atomic
def project_create(
    *,
    plan: Plan,
    name: str,
    category: Category,
    nature: str = Project.Nature.NEW,
    unit: ImplementingUnit | None = None,
    location_text: str = "",
    description: str = "",
    status: str = Project.Status.PLANNED,
    user=None,
) -> Project:
    township, village = places_for_location(plan=plan, location_text=location_text)
    project = Project(
        plan=plan,
        name=normalize_display(name),
        category=category,
        nature=nature,
        unit=unit,
        location_text=location_text,
        township=township,
        village=village,
        description=description,
        status=status,
    )
    project.full_clean()
    attribute_to(project, user)
    project.save()
    request_recompute(plan.pk)
    return project


@transaction.atomic
def project_update(*, project: Project, user=None, expected_version: int | None = None, **changes) -> Project:
    """Change a project. With `expected_version`, a save over someone else's newer save is refused
    (StaleEdit). A project with a budget in an approved year is locked like that year."""
    unknown = set(changes) - _PROJECT_FIELDS
    if unknown:
        raise TypeError(f"project_update() got unknown fields: {', '.join(sorted(unknown))}")
    from plans.models import PlanYear
    from plans.services import ensure_years_editable

    current = Project.objects.select_for_update().get(pk=project.pk)
    check_version(current, expected_version)
    ensure_years_editable(PlanYear.objects.filter(budgets__project=project).distinct())
    project.version = current.version + 1
    attribute_to(project, user)
    if "name" in changes:
        changes["name"] = normalize_display(changes["name"])
    for field, value in changes.items():
        setattr(project, field, value)
    if "location_text" in changes:
        project.township, project.village = places_for_location(
            plan=project.plan, location_text=project.location_text
        )
    project.full_clean()
    try:
        project.save()
    except IntegrityError as exc:  # a rule the database holds that full_clean() could not see
        raise ValidationError(str(exc)) from exc
    request_recompute(project.plan_id)
    return project


def normalize_display(text: str) -> str:
    """Names keep their characters; only leading/trailing space goes. Blank stays blank (and fails validation)."""
    return (text or "").strip()



@transaction.atomic
def project_delete(*, project: Project, user=None) -> None:
    """Delete a project with its budgets; refused (YearLocked) while one of its years is approved."""
    from plans.models import PlanYear
    from plans.services import ensure_years_editable

    current = Project.objects.select_for_update().get(pk=project.pk)
    ensure_years_editable(PlanYear.objects.filter(budgets__project=current).distinct())
    plan_id = current.plan_id
    for budget in current.budgets.all():  # each budget's deletion is in the history under the same user
        attribute_to(budget, user)
        budget.delete()
    attribute_to(current, user)
    current.delete()
    request_recompute(plan_id)


def attribute_to(obj, user) -> None:
    """The history entry names who made the change, also outside a request (API, commands)."""
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
