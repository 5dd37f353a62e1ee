"""How far an indicator has come: pure rules with exact arithmetic, no Django.

Inputs are the indicator's target, direction and target year, the plan's years,
the reported values by year and a date ("today"). "This year" is today's year
clipped to the plan's years: before the plan starts it is the first year, after
it ends the last one, so a finished plan keeps its final verdict.

Which value counts
    The latest value is the one of the greatest year that lies within the plan
    and is not after this year. A value entered for a later year (a forecast or
    a slip) is listed on the indicator's page but does not decide its status.
    "Previous" is the value of the greatest earlier year that has one.

Percent of target
    latest ÷ target × 100, rounded half away from zero to one decimal. None when
    the target is 0 (农村低收入人口数 targets 0: no percentage of 0 means anything).

Status, per direction (the period runs from the plan's first year to the target
year, clipped to the plan; "elapsed share" k/n counts the years from the first
year to the latest value's year inclusive, k, over the period's years, n):
    no data   – no value within the plan up to this year (every direction).
    at least  – achieved: latest ≥ target.
                on track: latest ≥ target × k/n (a straight line from 0 at the
                start to the target at the end; at the target year k/n = 1, so
                falling short there is at risk).
                at risk:  otherwise.
    at most   – achieved: latest ≤ target.
                on track: before the target year, and latest < previous (falling).
                at risk:  otherwise, including a single value above the target:
                          with no trend yet, a binding reduction target is
                          shown as needing attention rather than assumed fine.
    exactly   – achieved: latest = target.
                on track: before the target year, and latest is strictly closer
                          to the target than previous was.
                at risk:  otherwise.

A binding (约束性) indicator with no value for this year is flagged
(`missing_this_year`), whatever its status.

Comparisons are made on Decimals and integers only (latest × n ≥ target × k),
so no rounding ever decides a status.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor

ACHIEVED, ON_TRACK, AT_RISK, NO_DATA = "achieved", "on_track", "at_risk", "no_data"
STATUSES = (ACHIEVED, ON_TRACK, AT_RISK, NO_DATA)
AT_LEAST, AT_MOST, EXACTLY = "at_least", "at_most", "exactly"


@dataclass(frozen=True)
class Progress:
    latest_value: Decimal | None
    latest_year: int | None
    percent: Decimal | None
    status: str
    this_year: int
    missing_this_year: bool


def this_year_of(*, first_year: int, last_year: int, today: date) -> int:
    return min(max(today.year, first_year), last_year)


def percent_of_target(latest: Decimal, target: Decimal) -> Decimal | None:
    """latest ÷ target × 100 to one decimal, rounded half away from zero; None for a zero target."""
    if target == 0:
        return None
    exact = Fraction(latest) * 100 / Fraction(target)  # Fraction(Decimal) is exact
    tenths = floor(abs(exact) * 10 + Fraction(1, 2))
    return (Decimal(tenths if exact >= 0 else -tenths)).scaleb(-1)


def progress(
    *,
    direction: str,
    target: Decimal,
    target_year: int,
    first_year: int,
    last_year: int,
    values: Mapping[int, Decimal],
    binding: bool,
    today: date | None = None,
) -> Progress:
    """The latest value against the target, its percentage and status; see the module text for the rules."""
    if direction not in (AT_LEAST, AT_MOST, EXACTLY):
        raise ValueError(f"unknown direction {direction!r}")
    this_year = this_year_of(first_year=first_year, last_year=last_year, today=today or date.today())
    missing_this_year = binding and this_year not in values
    usable = {year: value for year, value in values.items() if first_year <= year <= this_year}
    if not usable:
        return Progress(None, None, None, NO_DATA, this_year, missing_this_year)

    years = sorted(usable)
    latest_year = years[-1]
    latest = usable[latest_year]
    previous = usable[years[-2]] if len(years) > 1 else None
    end_year = min(max(target_year, first_year), last_year)
    before_end = latest_year < end_year

    if direction == AT_LEAST:
        elapsed = min(latest_year, end_year) - first_year + 1  # k
        period = end_year - first_year + 1  # n
        if latest >= target:
            status = ACHIEVED
        elif latest * period >= target * elapsed:
            status = ON_TRACK
        else:
            status = AT_RISK
    elif direction == AT_MOST:
        if latest <= target:
            status = ACHIEVED
        elif before_end and previous is not None and latest < previous:
            status = ON_TRACK
        else:
            status = AT_RISK
    else:  # EXACTLY
        if latest == target:
            status = ACHIEVED
        elif before_end and previous is not None and abs(latest - target) < abs(previous - target):
            status = ON_TRACK
        else:
            status = AT_RISK

    return Progress(latest, latest_year, percent_of_target(latest, target), status, this_year, missing_this_year)
