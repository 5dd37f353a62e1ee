"""The year lock, applied to projects: what an approved year's annex row shows of a project stays.

A project with a budget in an approved year keeps its name, nature, category,
implementing unit and place (they decide which totals its money counts in, and
what the signed-off table says), and cannot be deleted, until that year is
reopened. Its description and status (how the work goes on) stay editable.
The services and the importer both ask this module.
"""

from collections.abc import Iterable

from plans.locks import YearLocked, locked_message
from plans.models import PlanYear

ANNEX_FIELDS = frozenset({"name", "nature", "category", "unit", "location_text", "township", "village"})


def touches_annex(fields: Iterable[str] | None) -> bool:
    """Would changing these fields (None: deleting the project) change what an approved year says?"""
    return fields is None or bool({field.removesuffix("_id") for field in fields} & ANNEX_FIELDS)


def locked_years_by_project(project_ids: Iterable[int]) -> dict[int, set[int]]:
    """{project id: its approved years} for the projects that have a budget in an approved year (one query)."""
    ids = list(project_ids)
    locked: dict[int, set[int]] = {}
    if ids:
        rows = (PlanYear.objects.filter(budgets__project__in=ids, review_status=PlanYear.Review.APPROVED)
                .values_list("budgets__project", "year").distinct())
        for project_id, year in rows:
            locked.setdefault(project_id, set()).add(year)
    return locked


def ensure_projects_editable(*, project_ids: Iterable[int], fields: Iterable[str] | None) -> None:
    """Refuse (YearLocked) a change of `fields` — None: deleting the projects — of projects in an approved year."""
    if not touches_annex(fields):
        return
    locked = locked_years_by_project(project_ids)
    if locked:
        raise YearLocked(locked_message(set().union(*locked.values())), code="year_locked")
