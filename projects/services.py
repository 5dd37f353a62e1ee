"""Writes to projects, implementing units (and their spellings) and places.

Every function takes the acting `user` and enforces, itself, what every door
relies on: the user's role on the plan (plans.access), the year lock
(projects.locks), the version check (planportal.concurrency), validation,
history attribution and the recompute request (plans.hooks).
"""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from planportal.fields import known_fields
from planportal.concurrency import next_version
from planportal.history import attribute_to
from planportal.lib.names import DEFAULT_COUNTY_NAMES, normalize_text, unit_key
from planportal.lib.places import (
    KEYOUZHONGQI_TOWNSHIP_ALIASES,
    KEYOUZHONGQI_TOWNSHIPS,
    TOWNSHIP_KINDS,
    ParsedPlace,
    VillageIndex,
    parse_place,
)
from plans.access import EDIT, history_user, require
from plans.hooks import totals_changed
from plans.models import Category, Plan
from projects.gazetteer import county_names, learned_aliases_record, village_index, village_list_load, village_list_of
from projects.locks import ensure_projects_editable, locked_years_by_project
from projects.models import ImplementingUnit, ListedVillage, Place, Project, UnitAlias, VillageAlias, VillageList


def plan_gazetteer(plan: Plan) -> dict:
    """What place recognition knows of this plan's banner: its townships and other spellings.

    Only a curated list may be passed as a gazetteer (with one, only its names are
    townships); for other banners recognition falls back on 苏木/镇/乡 suffixes.
    """
    if plan.county in DEFAULT_COUNTY_NAMES:
        return {"townships": KEYOUZHONGQI_TOWNSHIPS, "aliases": KEYOUZHONGQI_TOWNSHIP_ALIASES,
                "banners": DEFAULT_COUNTY_NAMES}
    return {"townships": None, "aliases": None, "banners": (plan.county,)}


def unit_key_function(plan: Plan):
    """The one unit-spelling rule of a plan, as a cached function spelling → matching key.

    旗农科局 and 科右中旗农科局 give one key; so do a township government's spellings.
    The admin, the pages, the API and the importer all match spellings with it.
    """
    gazetteer = plan_gazetteer(plan)
    banners, aliases = tuple(gazetteer["banners"]), gazetteer["aliases"]
    return functools.lru_cache(maxsize=8192)(lambda spelling: unit_key(spelling, banners, aliases=aliases))


def plan_unit_key(plan: Plan, spelling: str) -> str:
    """The matching key of one unit spelling in this plan."""
    return unit_key_function(plan)(spelling)


def unit_by_spelling(plan: Plan, spelling: str) -> ImplementingUnit | None:
    """The unit a spelling stands for in this plan (its canonical name or any known spelling), or None."""
    text = " ".join((spelling or "").split())
    if not text:
        return None
    alias = UnitAlias.objects.filter(plan=plan, key=plan_unit_key(plan, text)).select_related("unit").first()
    if alias is not None:
        return alias.unit
    return ImplementingUnit.objects.filter(plan=plan, name=text).first()


# --- implementing units and their spellings ------------------------------------

def _alias_clash(plan_id: int, key: str, exclude_pk=None) -> UnitAlias | None:
    clash = UnitAlias.objects.filter(plan_id=plan_id, key=key).select_related("unit")
    return clash.exclude(pk=exclude_pk).first() if exclude_pk else clash.first()


def _unit_locked(unit_id: int, expected_version: int | None) -> tuple[ImplementingUnit, int]:
    """The stored unit, locked, and the version a write gives it (a stale one is refused: StaleEdit).

    A unit's version covers its name and its spellings: each write to either bumps it.
    """
    current = ImplementingUnit.objects.select_for_update().select_related("plan").get(pk=unit_id)
    return current, next_version(current, expected_version)


def _unit_bumped(unit: ImplementingUnit, version: int) -> ImplementingUnit:
    """After a write to its spellings: the unit gets its new version."""
    unit.version = version
    unit.save(update_fields=["version"])
    return unit


def _clash_error(spelling: str, other) -> ValidationError:
    return ValidationError({"spelling": _("“%(spelling)s” already stands for the unit “%(other)s”.")
                            % {"spelling": spelling, "other": other}})


@transaction.atomic
def unit_for_spelling(*, plan: Plan, spelling: str, user) -> tuple[ImplementingUnit | None, bool]:
    """The unit a spelling stands for, creating it (with the spelling) when none matches.

    Returns (unit, created). Blank spellings give (None, False).
    """
    require(user, plan, EDIT)
    spelling = (spelling or "").strip()
    if not spelling:
        return None, False
    key = plan_unit_key(plan, spelling)
    alias = _alias_clash(plan.pk, key)
    if alias is not None:
        return alias.unit, False
    unit, created = ImplementingUnit.objects.get_or_create(plan=plan, name=" ".join(spelling.split()))
    if not created:  # a known unit learns a spelling
        unit = _unit_bumped(*_unit_locked(unit.pk, None))
    UnitAlias.objects.create(plan=plan, unit=unit, spelling=spelling, key=key)
    return unit, created


@transaction.atomic
def unit_create(*, plan: Plan, name: str, user) -> ImplementingUnit:
    """A new unit under its canonical name, which becomes its first spelling."""
    require(user, plan, EDIT)
    name = " ".join((name or "").split())
    key = plan_unit_key(plan, name)
    clash = _alias_clash(plan.pk, key)
    if clash is not None:
        raise ValidationError({"name": _("“%(spelling)s” already stands for the unit “%(other)s”.")
                               % {"spelling": name, "other": clash.unit}})
    unit = ImplementingUnit(plan=plan, name=name)
    unit.full_clean()
    unit.save()
    UnitAlias.objects.create(plan=plan, unit=unit, spelling=name, key=key)
    return unit


@transaction.atomic
def unit_update(*, unit: ImplementingUnit, name: str, user, expected_version: int | None = None) -> ImplementingUnit:
    """Rename a unit; the new name is also learnt as one of its spellings. With `expected_version`
    (the version the editor started from), a save over someone else's newer save is refused (StaleEdit)."""
    require(user, unit.plan_id, EDIT)
    current, version = _unit_locked(unit.pk, expected_version)
    current.name = " ".join((name or "").split())
    current.version = version
    current.full_clean()
    current.save()
    key = plan_unit_key(current.plan, current.name)
    clash = _alias_clash(current.plan_id, key)
    if clash is None:
        UnitAlias.objects.create(plan_id=current.plan_id, unit=current, spelling=current.name, key=key)
    elif clash.unit_id != current.pk:
        raise ValidationError({"name": _("“%(spelling)s” already stands for the unit “%(other)s”.")
                               % {"spelling": current.name, "other": clash.unit}})
    totals_changed(current.plan_id)
    return current


@transaction.atomic
def unit_delete(*, unit: ImplementingUnit, user) -> None:
    require(user, unit.plan_id, EDIT)
    try:
        ImplementingUnit.objects.filter(pk=unit.pk).delete()
    except ProtectedError:
        raise ValidationError(_("The unit “%(name)s” still has projects: move them to another unit or merge "
                                "the two units first.") % {"name": unit.name}) from None


@transaction.atomic
def unit_add_alias(*, unit: ImplementingUnit, spelling: str, user, expected_version: int | None = None) -> UnitAlias:
    """Teach the plan another spelling of a unit; refused when it already names another unit.

    A spelling is part of its unit: `expected_version` is the unit's, as for unit_update;
    the alias returned has the unit as saved (`alias.unit.version`).
    """
    require(user, unit.plan_id, EDIT)
    current, version = _unit_locked(unit.pk, expected_version)
    spelling = (spelling or "").strip()
    if not spelling:
        raise ValidationError({"spelling": _("Type the spelling.")})
    key = plan_unit_key(current.plan, spelling)
    existing = _alias_clash(current.plan_id, key)
    if existing is not None:
        if existing.unit_id == current.pk:  # known already: nothing changes
            existing.unit = current
            return existing
        raise _clash_error(spelling, existing.unit)
    alias = UnitAlias(plan_id=current.plan_id, unit=current, spelling=spelling, key=key)
    alias.full_clean()
    alias.save()
    _unit_bumped(current, version)
    return alias


@transaction.atomic
def alias_update(*, alias: UnitAlias, spelling: str, user, expected_version: int | None = None) -> UnitAlias:
    """Correct a spelling; `expected_version` is its unit's (see unit_add_alias)."""
    require(user, alias.plan_id, EDIT)
    current = UnitAlias.objects.select_for_update().select_related("plan").get(pk=alias.pk)
    unit, version = _unit_locked(current.unit_id, expected_version)
    current.spelling = (spelling or "").strip()
    current.key = plan_unit_key(current.plan, current.spelling)
    clash = _alias_clash(current.plan_id, current.key, exclude_pk=current.pk)
    if clash is not None:
        raise _clash_error(current.spelling, clash.unit)
    current.full_clean()
    current.save()
    current.unit = _unit_bumped(unit, version)
    return current


@transaction.atomic
def alias_delete(*, alias: UnitAlias, user, expected_version: int | None = None) -> ImplementingUnit:
    """Forget a spelling; `expected_version` is its unit's (see unit_add_alias). Returns the unit as saved."""
    require(user, alias.plan_id, EDIT)
    current = UnitAlias.objects.select_for_update().get(pk=alias.pk)
    unit, version = _unit_locked(current.unit_id, expected_version)
    current.delete()
    return _unit_bumped(unit, version)


@transaction.atomic
def unit_merge(*, keep: ImplementingUnit, merge: ImplementingUnit, user) -> ImplementingUnit:
    """Fold `merge` into `keep`: its projects and spellings move over, it disappears.

    Refused while a project of `merge` has a budget in an approved year (its totals
    by unit were signed off).
    """
    require(user, keep.plan_id, EDIT)
    if keep.plan_id != merge.plan_id:
        raise ValidationError(_("Units of different plans cannot be merged."))
    if keep.pk == merge.pk:
        return keep
    moved = Project.objects.filter(unit=merge)
    ensure_projects_editable(project_ids=moved.values_list("pk", flat=True), fields={"unit"})
    for project in moved.select_for_update():
        attribute_to(project, user)
        project.unit = keep
        project.version += 1
        project.save(update_fields=["unit", "version", "updated_at"])
    kept, version = _unit_locked(keep.pk, None)  # it learns the other's spellings: forms opened before are stale
    UnitAlias.objects.filter(unit=merge).update(unit=keep)
    keep.version = _unit_bumped(kept, version).version
    merge.delete()
    totals_changed(keep.plan_id)
    return keep


# --- places -----------------------------------------------------------------------

def banner_of(plan: Plan) -> Place:
    """The plan's banner, the top of its places (made on first need)."""
    banner, _created = Place.objects.get_or_create(plan=plan, kind=Place.Kind.BANNER, name=plan.county, parent=None)
    return banner


PLACE_FIELDS = {"kind", "name", "parent"}


def _place_saved(place: Place) -> Place:
    if place.parent_id and place.parent.plan_id != place.plan_id:
        raise ValidationError({"parent": _("This place belongs to another plan.")})
    place.full_clean()
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError:
        raise ValidationError(_("The plan already has this place.")) from None
    totals_changed(place.plan_id)
    return place


@transaction.atomic
def place_create(*, plan: Plan, kind: str, name: str, parent: Place | None, user) -> Place:
    require(user, plan, EDIT)
    return _place_saved(Place(plan=plan, kind=kind, name=(name or "").strip(), parent=parent))


@transaction.atomic
def place_update(*, place: Place, user, **changes) -> Place:
    known_fields(changes, PLACE_FIELDS, "place_update")
    require(user, place.plan_id, EDIT)
    current = Place.objects.select_for_update().get(pk=place.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    return _place_saved(current)


@transaction.atomic
def place_delete(*, place: Place, user) -> None:
    require(user, place.plan_id, EDIT)
    try:
        Place.objects.filter(pk=place.pk).delete()
    except ProtectedError:
        raise ValidationError(_("The place “%(name)s” still has places inside it.") % {"name": place.name}) from None
    totals_changed(place.plan_id)


@dataclass
class PlaceRecognition:
    """Everything place recognition knows of a plan's banner: township names, their other spellings,
    the banner's names, and its official village list when one is loaded (projects.gazetteer)."""

    townships: dict | None
    aliases: dict | None
    banners: tuple
    village_list: VillageList | None = None
    index: VillageIndex | None = None

    def parse(self, text: str) -> ParsedPlace:
        return parse_place(text, self.townships, aliases=self.aliases, banners=self.banners,
                           village_list=self.index)


def place_recognition(plan: Plan) -> PlaceRecognition:
    """The plan's place recognition, read in three queries at most."""
    gazetteer = plan_gazetteer(plan)
    village_list = village_list_of(plan.county)
    index = village_index(village_list)
    townships = gazetteer["townships"]
    if townships is None and index:  # another banner with its list: its townships are the list's
        townships = {name: next((kind for kind in ("苏木镇", *TOWNSHIP_KINDS) if name.endswith(kind)), "")
                     for name in index.townships}
    return PlaceRecognition(townships, gazetteer["aliases"], tuple(gazetteer["banners"]), village_list, index)


def places_for_location(*, plan: Plan, location_text: str) -> tuple[Place | None, Place | None]:
    """(township, village) recognised in a location text, created under the plan's banner as needed.

    Nothing is guessed: a text that names no township gives (None, None), a
    text naming another banner gives nothing of this one, and the raw text
    always stays on the project. (A helper of the writes below and of the importer.)
    """
    ids = places_for_locations(plan=plan, texts=[location_text or ""])[location_text or ""]
    places = Place.objects.in_bulk([pk for pk in ids if pk])
    return places.get(ids[0]), places.get(ids[1])


def _village_place(plan, villages, by_code, parent_id: int, name: str, code: str) -> int:
    """The id of the village place for (township place, name, official code), made or corrected as needed.

    A listed village is its code: when a later list renamed it (or moved it), its place follows
    under the new name instead of a second place appearing."""
    if code and code in by_code:
        pk, old_parent, old_name = by_code[code]
        if (old_parent, old_name) == (parent_id, name):
            return pk
        clash = villages.get((parent_id, name))
        if clash is None:
            Place.objects.filter(pk=pk).update(parent_id=parent_id, name=name)
            del villages[(old_parent, old_name)]
            villages[(parent_id, name)] = pk
            by_code[code] = (pk, parent_id, name)
            return pk
        # A place of that name exists already (recognised before the list said its code): it becomes the one.
        Place.objects.filter(pk=pk).update(code="")
        Place.objects.filter(pk=clash).update(code=code)
        by_code[code] = (clash, parent_id, name)
        return clash
    pk = villages.get((parent_id, name))
    if pk is None:
        pk = Place.objects.create(plan=plan, kind=Place.Kind.VILLAGE, name=name, parent_id=parent_id, code=code).pk
        villages[(parent_id, name)] = pk
    elif code:
        Place.objects.filter(pk=pk).update(code=code)
    if code:
        by_code[code] = (pk, parent_id, name)
    return pk


def _create_new_villages(plan, parsed: dict, towns: dict, banner_id: int, villages: dict, by_code: dict) -> None:
    """Create in one statement the villages no stored place is yet (a first import names hundreds of them).

    Only the plain case: a (township, name) nobody has and a code no stored place carries. A code already
    stored, and any place such a code may be moved to, is left to _village_place one by one, in order."""
    parents = {text: (towns[town] if town else banner_id) for text, (town, village, _code) in parsed.items()
               if village}
    claimed = {(parents[text], village) for text, (_town, village, code) in parsed.items()
               if village and code and code in by_code}
    new: dict[tuple, str] = {}
    codes: set[str] = set()
    for text, (_town, village, code) in sorted(parsed.items()):
        slot = (parents.get(text), village)
        if not village or slot in villages or slot in claimed or slot in new or code in by_code or code in codes:
            continue
        new[slot] = code
        if code:
            codes.add(code)
    created = Place.objects.bulk_create(
        Place(plan=plan, kind=Place.Kind.VILLAGE, name=name, parent_id=parent_id, code=code)
        for (parent_id, name), code in new.items())
    for place in created:
        villages[(place.parent_id, place.name)] = place.pk
        if place.code:
            by_code[place.code] = (place.pk, place.parent_id, place.name)


def places_for_locations(*, plan: Plan, texts, recognition: PlaceRecognition | None = None
                         ) -> dict[str, tuple[int | None, int | None]]:
    """For many location texts at once: text → (township id, village id), in a few queries.

    Recognition is pure and done once per distinct text; missing places are created,
    townships first so villages can hang under them. Spellings the village list's
    spelling rules matched are recorded as aliases of their villages.
    """
    recognition = recognition or place_recognition(plan)
    parsed, learned = {}, {}
    for text in set(texts):
        place = recognition.parse(text)
        foreign = place.banner and place.banner not in recognition.banners
        parsed[text] = (None, None, None) if foreign else (place.township, place.village, place.village_code or "")
        if not foreign:
            learned.update(place.learned)
    if recognition.village_list is not None:
        learned_aliases_record(village_list=recognition.village_list, learned=learned)
    wanted_towns = {town for town, _village, _code in parsed.values() if town}
    if not wanted_towns and not any(village for _town, village, _code in parsed.values()):
        return {text: (None, None) for text in parsed}
    banner = banner_of(plan)
    towns = dict(Place.objects.filter(plan=plan, kind=Place.Kind.TOWNSHIP, parent=banner).values_list("name", "pk"))
    missing = sorted(wanted_towns - set(towns))
    for place in Place.objects.bulk_create(
        Place(plan=plan, kind=Place.Kind.TOWNSHIP, name=name, parent=banner) for name in missing
    ):
        towns[place.name] = place.pk
    villages, by_code = {}, {}
    for parent_id, name, code, pk in Place.objects.filter(plan=plan, kind=Place.Kind.VILLAGE).values_list(
            "parent_id", "name", "code", "pk"):
        villages[(parent_id, name)] = pk
        if code:
            by_code[code] = (pk, parent_id, name)
    _create_new_villages(plan, parsed, towns, banner.pk, villages, by_code)
    result = {}
    for text, (town, village, code) in sorted(parsed.items()):
        town_id = towns[town] if town else None
        village_id = _village_place(plan, villages, by_code, town_id or banner.pk, village, code) if village else None
        result[text] = (town_id, village_id)
    return result


@dataclass
class PlacesResolved:
    """What re-recognising a plan's places changed: projects moved, and those an approved year kept."""

    changed: int = 0
    kept_locked: list = field(default_factory=list)  # names of projects whose approved year keeps their place


@transaction.atomic
def places_resolve(*, plan: Plan, user, reason: str | None = None) -> PlacesResolved:
    """Recognise the places of every project of the plan again (after a village list was loaded or a
    spelling decided), through the same recognition as a new row. A project of an approved year keeps
    its place (its signed-off totals by township) and is reported; the totals are asked to follow."""
    require(user, plan, EDIT)
    rows = list(Project.objects.filter(plan=plan).values_list("pk", "location_text", "township_id", "village_id"))
    found = places_for_locations(plan=plan, texts=[text for _pk, text, _t, _v in rows])
    moved = {pk: found[text] for pk, text, town, village in rows if found[text] != (town, village)}
    result = PlacesResolved()
    if not moved:
        return result
    locked = locked_years_by_project(moved)
    if locked:
        result.kept_locked = sorted(Project.objects.filter(pk__in=locked).values_list("name", flat=True))
    for project in Project.objects.select_for_update().filter(pk__in=set(moved) - set(locked)).order_by("pk"):
        attribute_to(project, user, reason)
        project.township_id, project.village_id = moved[project.pk]
        project.version += 1
        project.save(update_fields=["township", "village", "version", "updated_at"])
        result.changed += 1
    if result.changed:
        totals_changed(plan.pk)
    return result


# --- the village list and the review of the places it does not settle ---------------------------------

@dataclass
class PlaceReviewItem:
    """A spelling (or a whole location text) of the plan the village list does not settle."""

    spelling: str
    status: str  # planportal.lib.places.PlaceQuestion.status
    candidates: list  # ListedVillage, best first
    texts: list = field(default_factory=list)  # the location texts it is in
    projects: list = field(default_factory=list)  # (id, name) of the projects with those texts


def place_questions(plan: Plan, recognition: PlaceRecognition | None = None) -> list[PlaceReviewItem]:
    """The plan's open place questions: every name its projects' locations give that the village list
    does not settle (two villages fit, only look-alikes, nothing), with the candidates. A fixed number
    of queries whatever the plan's size; empty when the banner has no village list."""
    recognition = recognition or place_recognition(plan)
    if not recognition.index:
        return []
    by_text: dict[str, list] = {}
    for pk, name, text in Project.objects.filter(plan=plan).order_by("pk").values_list("pk", "name", "location_text"):
        by_text.setdefault(text, []).append((pk, name))
    items: dict[str, PlaceReviewItem] = {}
    codes = set()
    for text in sorted(by_text):
        for question in recognition.parse(text).questions:
            item = items.get(question.spelling)
            if item is None:
                item = items[question.spelling] = PlaceReviewItem(question.spelling, question.status,
                                                                  list(question.candidates))
                codes.update(question.candidates)
            item.texts.append(text)
            item.projects.extend(by_text[text])
    villages = {v.code: v for v in recognition.village_list.villages.filter(code__in=codes)}
    for item in items.values():
        item.candidates = [villages[code] for code in item.candidates if code in villages]
    return sorted(items.values(), key=lambda item: (-len(item.projects), item.spelling))


@transaction.atomic
def place_question_decide(*, plan: Plan, spelling: str, code: str | None, user) -> PlacesResolved:
    """A person settles an open question: `spelling` is the listed village `code` (or, with no code,
    none of them). Kept as the spelling's alias for every later import of the banner's plans; the
    plan's places follow at once."""
    require(user, plan, EDIT)
    recognition = place_recognition(plan)
    if recognition.village_list is None:
        raise ValidationError(_("This plan's banner has no village list: load one first."))
    spelling = normalize_text(spelling)
    if spelling not in {item.spelling for item in place_questions(plan, recognition)}:
        raise ValidationError(_("“%(spelling)s” is not on the review list (any more): reload the page.")
                              % {"spelling": spelling})
    village = None
    if code:
        village = ListedVillage.objects.filter(village_list=recognition.village_list, code=code, listed=True).first()
        if village is None:
            raise ValidationError(_("The village list has no village with the code %(code)s.") % {"code": code})
    VillageAlias.objects.update_or_create(
        village_list=recognition.village_list, spelling=spelling,
        defaults={"village": village, "decided_by": history_user(user),
                  "source": VillageAlias.Source.CONFIRMED if village else VillageAlias.Source.DISMISSED})
    reason = (f"地点确认：{spelling} = {village.township}{village.name}" if village
              else f"地点确认：{spelling} 不是名录中的嘎查")
    return places_resolve(plan=plan, user=user, reason=reason)


@transaction.atomic
def village_list_apply(*, county: str, data: bytes, file_name: str, user) -> tuple:
    """Load a banner's village list (projects.gazetteer.village_list_load) and re-recognise the places of
    every open plan of the banner. Returns (list, load or None when nothing changed, {plan: PlacesResolved})."""
    village_list, load = village_list_load(county=county, data=data, file_name=file_name, user=user)
    resolved = {}
    for plan in Plan.objects.filter(county__in=county_names(village_list.county), closed_at__isnull=True
                                    ).order_by("code"):
        resolved[plan] = places_resolve(plan=plan, user=user, reason=f"载入嘎查名录 {file_name}")
    return village_list, load, resolved


# --- projects -------------------------------------------------------------------------

PROJECT_FIELDS = {"name", "nature", "category", "unit", "location_text", "description", "status"}


def normalize_display(text: str) -> str:
    """Names keep their characters; only leading/trailing space goes. Blank stays blank (and fails validation)."""
    return (text or "").strip()


def _project_saved(project: Project) -> Project:
    project.full_clean()
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:  # a rule the database holds that full_clean() could not see
        raise ValidationError(str(exc)) from exc
    totals_changed(project.plan_id)
    return project


@transaction.atomic
def project_create(
    *,
    plan: Plan,
    user,
    name: str,
    category: Category,
    nature: str = Project.Nature.NEW,
    unit: ImplementingUnit | None = None,
    location_text: str = "",
    description: str = "",
    status: str = Project.Status.PLANNED,
) -> Project:
    require(user, plan, EDIT)
    township, village = places_for_location(plan=plan, location_text=location_text)
    project = Project(
        plan=plan, name=normalize_display(name), category=category, nature=nature, unit=unit,
        location_text=location_text, township=township, village=village, description=description, status=status,
    )
    attribute_to(project, user)
    return _project_saved(project)


@transaction.atomic
def project_update(*, project: Project, user, expected_version: int | None = None, **changes) -> Project:
    """Change a project. With `expected_version`, a save over someone else's newer save is refused
    (StaleEdit). What an approved year's annex row shows of it is locked like that year."""
    known_fields(changes, PROJECT_FIELDS, "project_update")
    require(user, project.plan_id, EDIT)
    current = Project.objects.select_for_update().get(pk=project.pk)
    project.version = next_version(current, expected_version)
    if "name" in changes:
        changes["name"] = normalize_display(changes["name"])
    changed = {field for field, value in changes.items() if getattr(current, field) != value}
    ensure_projects_editable(project_ids=[current.pk], fields=changed)
    for field, value in changes.items():
        setattr(project, field, value)
    if "location_text" in changed:
        project.township, project.village = places_for_location(plan=project.plan, location_text=project.location_text)
    attribute_to(project, user)
    return _project_saved(project)


@transaction.atomic
def project_delete(*, project: Project, user) -> None:
    """Delete a project with its budgets; refused (YearLocked) while one of its years is approved."""
    require(user, project.plan_id, EDIT)
    current = Project.objects.select_for_update().get(pk=project.pk)
    ensure_projects_editable(project_ids=[current.pk], fields=None)
    plan_id = current.plan_id
    for budget in current.budgets.all():  # each budget's deletion is in the history under the same user
        attribute_to(budget, user)
        budget.delete()
    attribute_to(current, user)
    current.delete()
    totals_changed(plan_id)
