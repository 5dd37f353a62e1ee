"""Writes to projects, implementing units and places."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from planportal.lib.names import DEFAULT_COUNTY_NAMES, unit_key
from planportal.lib.places import KEYOUZHONGQI_TOWNSHIP_ALIASES, KEYOUZHONGQI_TOWNSHIPS, parse_place
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place, Project, UnitAlias


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
    return keep


def places_for_location(*, plan: Plan, location_text: str) -> tuple[Place | None, Place | None]:
    """(township, village) recognised in a location text, created under the plan's banner as needed.

    Nothing is guessed: a text that names no township gives (None, None), a
    text naming another banner gives nothing of this one, and the raw text
    always stays on the project.
    """
    gazetteer = plan_gazetteer(plan)
    parsed = parse_place(location_text or "", gazetteer["townships"], aliases=gazetteer["aliases"],
                         banners=gazetteer["banners"])
    if parsed.banner and parsed.banner not in gazetteer["banners"]:
        return None, None
    if not parsed.township and not parsed.village:
        return None, None
    banner, _created = Place.objects.get_or_create(plan=plan, kind=Place.Kind.BANNER, name=plan.county, parent=None)
    township = None
    if parsed.township:
        township, _created = Place.objects.get_or_create(
            plan=plan, kind=Place.Kind.TOWNSHIP, name=parsed.township, parent=banner
        )
    village = None
    if parsed.village:
        village, _created = Place.objects.get_or_create(
            plan=plan, kind=Place.Kind.VILLAGE, name=parsed.village, parent=township or banner
        )
    return township, village


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
    project.save()
    return project


@transaction.atomic
def project_update(*, project: Project, **changes) -> Project:
    unknown = set(changes) - _PROJECT_FIELDS
    if unknown:
        raise TypeError(f"project_update() got unknown fields: {', '.join(sorted(unknown))}")
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
    return project


def normalize_display(text: str) -> str:
    """Names keep their characters; only leading/trailing space goes. Blank stays blank (and fails validation)."""
    return (text or "").strip()

