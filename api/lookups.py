"""Finding a plan's category, implementing unit or township from what another system sends.

An id, or a name as people write it: 基础设施类 / 基础设施 / the category's code; any known
spelling of a unit (旗农科局 = 科右中旗农科局); a township's name. Only the plan's own
records are found, so an id of another plan is simply unknown.
"""

from planportal.lib.names import category_key
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import plan_unit_key


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def find_category(plan: Plan, value) -> Category | None:
    pk = _as_id(value)
    if pk is not None:
        return Category.objects.filter(plan=plan, pk=pk).first()
    text = str(value).strip()
    key = category_key(text)
    for category in Category.objects.filter(plan=plan):
        if text in (category.code, category.name_zh) or category_key(category.name_zh) == key:
            return category
        if category.name_en and category.name_en.casefold() == text.casefold():
            return category
    return None


def find_unit(plan: Plan, value) -> ImplementingUnit | None:
    pk = _as_id(value)
    if pk is not None:
        return ImplementingUnit.objects.filter(plan=plan, pk=pk).first()
    text = " ".join(str(value).split())
    unit = ImplementingUnit.objects.filter(plan=plan, name=text).first()
    if unit is None:
        alias = UnitAlias.objects.filter(plan=plan, key=plan_unit_key(plan, text)).select_related("unit").first()
        unit = alias.unit if alias else None
    return unit


def find_township(plan: Plan, value) -> Place | None:
    townships = Place.objects.filter(plan=plan, kind=Place.Kind.TOWNSHIP)
    pk = _as_id(value)
    if pk is not None:
        return townships.filter(pk=pk).first()
    return townships.filter(name=str(value).strip()).first()
