"""The year lock: an approved year stays as it was signed off until a liaison officer reopens it.

One rule, asked by every write path (services, the importer): a change to a
record of an approved year, or a change that alters what an approved year's
figures mean (a project's category, unit or place; deleting the project), is
refused with YearLocked and the same message everywhere.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.models import PlanYear


class YearLocked(ValidationError):
    """A change that would touch an approved (locked) year."""


def locked_message(years: Iterable[int]) -> str:
    return (_("%(years)s has been approved and is locked: ask the liaison officer to reopen it first.")
            % {"years": "、".join(str(y) for y in sorted(set(years)))})


def ensure_years_editable(plan_years: Iterable[PlanYear]) -> None:
    """Refuse the change when one of these years is approved."""
    locked = {py.year for py in plan_years if py.review_status == PlanYear.Review.APPROVED}
    if locked:
        raise YearLocked(locked_message(locked), code="year_locked")


def ensure_plan_years_editable(*, plan_id: int, years: Iterable[int | None]) -> None:
    """The same, for year numbers of a plan (None, a whole-plan figure, belongs to no year)."""
    wanted = {year for year in years if year is not None}
    if wanted:
        ensure_years_editable(PlanYear.objects.filter(plan_id=plan_id, year__in=wanted,
                                                     review_status=PlanYear.Review.APPROVED))
