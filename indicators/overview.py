"""Reads for the indicator pages and the CLI: progress rows, a value table, the corrections, a conflict.

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
from planportal.history import Conflict, Entry, conflict_for, history_entries
from plans.models import Plan

STATUS_LABELS = {
    ACHIEVED: _("achieved"),
    ON_TRACK: _("on track"),
    AT_RISK: _("at risk"),
    NO_DATA: _("no data"),
}
# What the value form (the page's and the admin's) shows of a year's value, in its order.
VALUE_SHOWN = ("value", "note", "evidence_text", "evidence_file")


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
    """The history of the indicator's values, newest first, each with the value it replaced.

    The records are diffed by planportal.history, the one renderer of the history;
    a correction of the note or evidence alone is listed too (old = new value).
    """
    records = IndicatorValue.history.filter(indicator_id=indicator.pk).select_related("history_user")
    return [_correction(entry) for entry in history_entries(records, fields=("value",), keep_unchanged=True)]


def _correction(entry: Entry) -> Correction:
    record = entry.record
    if entry.created:
        old, new = None, record.value
    elif entry.deleted:
        old, new = record.value, None
    elif (change := entry.change_of("value")) is not None:
        old, new = change.then, change.now
    else:  # saved again with the same value, or the record before it is not kept
        old, new = (record.value if entry.previous is not None else None), record.value
    return Correction(record.year, entry.when, entry.user, entry.kind, old, new, record.note)


def value_conflict(current: IndicatorValue, opened_version: int) -> Conflict:
    """What someone else changed on a year's value since the user's form was opened at `opened_version`
    (0: the form was opened when the year had no value), from the history (planportal.history)."""
    return conflict_for(current, opened_version, VALUE_SHOWN)


@dataclass(frozen=True)
class Attainment:
    """How a plan's indicators stand today: attained, with a value reported at all, and how many there are."""

    attained: int = 0
    reported: int = 0
    total: int = 0


def attainment_by_plan(plan_ids, today: date | None = None) -> dict[int, Attainment]:
    """{plan id: Attainment} for many plans in two queries (their indicators, then all their values), by the
    same progress rules as each plan's indicator page and final evaluation."""
    indicators = list(Indicator.objects.filter(plan_id__in=plan_ids).select_related("plan").order_by())
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = IndicatorValue.objects.filter(indicator__plan_id__in=plan_ids).order_by()
    for indicator_id, year, value in rows.values_list("indicator_id", "year", "value"):
        values[indicator_id][year] = value
    today = today or timezone.localdate()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for indicator in indicators:
        status = progress_of(indicator, values[indicator.pk], today).status
        count = counts[indicator.plan_id]
        count[0] += status == ACHIEVED
        count[1] += status != NO_DATA
        count[2] += 1
    return {plan_id: Attainment(*count) for plan_id, count in counts.items()}
