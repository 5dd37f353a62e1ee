"""Finding a plan's category, implementing unit or township from what another system sends.

An id, or a name as people write it: 基础设施类 / 基础设施 / the category's code; any known
spelling of a unit (旗农科局 = 科右中旗农科局); a township's name. Only the plan's own
records are found, so an id of another plan is simply unknown.
"""

from planportal.lib.names import category_key
from planportal.lib.params import whole_number
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place
from projects.services import unit_by_spelling


def _as_id(value) -> int | None:
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()); ids beyond a BIGINT are nobody's.
    return whole_number(value)


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
    return unit_by_spelling(plan, str(value))


def find_township(plan: Plan, value) -> Place | None:
    townships = Place.objects.filter(plan=plan, kind=Place.Kind.TOWNSHIP)
    pk = _as_id(value)
    if pk is not None:
        return townships.filter(pk=pk).first()
    return townships.filter(name=str(value).strip()).first()
