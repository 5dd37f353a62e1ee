"""Reads for the indicator pages and the CLI: progress rows, a value table, the corrections.

A handful of queries per page whatever the number of indicators or years: the
indicators, all their values, their derived values, then pure progress rules.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import DerivedValue, Indicator, IndicatorValue
from indicators.progress import ACHIEVED, AT_RISK, NO_DATA, ON_TRACK, Progress, progress
from plans.models import Plan

STATUS_LABELS = {
    ACHIEVED: _("achieved"),
    ON_TRACK: _("on track"),
    AT_RISK: _("at risk"),
    NO_DATA: _("no data"),
}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    progress: Progress
    derived_value: Decimal | None  # what the projects count for the whole plan, if a rule applies


@dataclass(frozen=True)
class Correction:
    """One change of a year's value, as the history records it."""

    year: int
    when: object
    who: object
    change: str  # "+" entered, "~" corrected, "-" deleted
    old_value: Decimal | None
    new_value: Decimal | None
    note: str


def progress_of(indicator: Indicator, values: dict[int, Decimal], today: date | None = None) -> Progress:
    plan = indicator.plan
    return progress(
        direction=indicator.direction,
        target=indicator.target,
        target_year=indicator.target_year,
        first_year=plan.first_year,
        last_year=plan.last_year,
        values=values,
        binding=indicator.is_binding,
        today=today or timezone.localdate(),
    )


def overview_rows(*, plan: Plan, today: date | None = None) -> list[IndicatorRow]:
    """Every indicator of the plan (main ones first, then goals) with its progress and derived total."""
    indicators = list(Indicator.objects.for_plan(plan).select_related("plan"))
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, year, value in IndicatorValue.objects.for_plan(plan).values_list("indicator_id", "year", "value"):
        values[indicator_id][year] = value
    derived = dict(
        DerivedValue.objects.filter(indicator__plan=plan, year__isnull=True).values_list("indicator_id", "value")
    )
    return [
        IndicatorRow(indicator, progress_of(indicator, values[indicator.pk], today), derived.get(indicator.pk))
        for indicator in indicators
    ]


def value_rows(indicator: Indicator) -> list[IndicatorValue]:
    return list(indicator.values.select_related("entered_by").order_by("year"))


def derived_by_year(indicator: Indicator) -> dict[int | None, Decimal]:
    return dict(indicator.derived_values.values_list("year", "value"))


def corrections(indicator: Indicator) -> list[Correction]:
    """The history of the indicator's values, newest first, each with the value it replaced."""
    records = (
        IndicatorValue.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes = []
    previous_value: dict[int, Decimal | None] = {}
    for record in records:
        old = previous_value.get(record.id)
        new = None if record.history_type == "-" else record.value
        changes.append(
            Correction(record.year, record.history_date, record.history_user, record.history_type, old, new, record.note)
        )
        previous_value[record.id] = record.value
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes
