"""The progress rules, direction by direction (pure: no database)."""

from datetime import date
from decimal import Decimal as D

import pytest

from indicators.progress import percent_of_target, progress

PLAN = {"first_year": 2021, "last_year": 2025, "target_year": 2025}


def _run(direction, target, values, today=date(2023, 6, 1), binding=False, **plan):
    return progress(
        direction=direction, target=D(target), values={y: D(v) for y, v in values.items()},
        binding=binding, today=today, **{**PLAN, **plan},
    )


@pytest.mark.parametrize(
    "direction, target, values, today, status, latest_year, percent",
    [
        # at least 30 by 2025: an even path is 6 a year (k/n of 30 after k of 5 years).
        ("at_least", "30", {}, date(2023, 6, 1), "no_data", None, None),
        ("at_least", "30", {2023: "30"}, date(2023, 6, 1), "achieved", 2023, "100.0"),
        ("at_least", "30", {2021: "40"}, date(2023, 6, 1), "achieved", 2021, "133.3"),
        ("at_least", "30", {2022: "12"}, date(2023, 6, 1), "on_track", 2022, "40.0"),  # exactly on the path
        ("at_least", "30", {2022: "11.9999"}, date(2023, 6, 1), "at_risk", 2022, "40.0"),  # just below it
        ("at_least", "30", {2021: "20", 2022: "11"}, date(2023, 6, 1), "at_risk", 2022, "36.7"),  # latest decides
        ("at_least", "30", {2025: "29"}, date(2025, 12, 31), "at_risk", 2025, "96.7"),  # target year, short
        ("at_least", "30", {2025: "29"}, date(2030, 1, 1), "at_risk", 2025, "96.7"),  # after the plan: clipped
        ("at_least", "30", {2021: "6"}, date(2019, 1, 1), "on_track", 2021, "20.0"),  # before the plan: clipped
        ("at_least", "30", {2021: "5", 2024: "30"}, date(2022, 3, 1), "at_risk", 2021, "16.7"),  # future ignored
        ("at_least", "100", {2021: "99.5"}, date(2021, 12, 1), "on_track", 2021, "99.5"),
        ("at_least", "30", {2019: "30"}, date(2023, 6, 1), "no_data", None, None),  # outside the plan
        # at most 0 (农村低收入人口数): achieved at 0; on track while falling, before the target year.
        ("at_most", "0", {2022: "0"}, date(2023, 6, 1), "achieved", 2022, None),
        ("at_most", "0", {2021: "1.2", 2022: "0.8"}, date(2023, 6, 1), "on_track", 2022, None),
        ("at_most", "0", {2021: "1.2", 2023: "0.8"}, date(2023, 6, 1), "on_track", 2023, None),  # gap year
        ("at_most", "0", {2021: "0.8", 2022: "0.8"}, date(2023, 6, 1), "at_risk", 2022, None),  # flat
        ("at_most", "0", {2021: "0.8", 2022: "0.9"}, date(2023, 6, 1), "at_risk", 2022, None),  # rising
        ("at_most", "0", {2021: "1.2"}, date(2023, 6, 1), "at_risk", 2021, None),  # no trend yet
        ("at_most", "0", {2024: "0.5", 2025: "0.3"}, date(2025, 6, 1), "at_risk", 2025, None),  # target year
        ("at_most", "5", {2021: "4"}, date(2023, 6, 1), "achieved", 2021, "80.0"),
        ("at_most", "5", {2021: "5"}, date(2023, 6, 1), "achieved", 2021, "100.0"),
        # exactly 90: achieved at 90; on track while getting strictly closer, before the target year.
        ("exactly", "90", {2023: "90"}, date(2023, 6, 1), "achieved", 2023, "100.0"),
        ("exactly", "90", {2021: "80", 2022: "85"}, date(2023, 6, 1), "on_track", 2022, "94.4"),
        ("exactly", "90", {2021: "95", 2022: "92"}, date(2023, 6, 1), "on_track", 2022, "102.2"),
        ("exactly", "90", {2021: "85", 2022: "80"}, date(2023, 6, 1), "at_risk", 2022, "88.9"),
        ("exactly", "90", {2021: "85", 2022: "95"}, date(2023, 6, 1), "at_risk", 2022, "105.6"),  # as far
        ("exactly", "90", {2022: "85"}, date(2023, 6, 1), "at_risk", 2022, "94.4"),
        ("exactly", "90", {2024: "88", 2025: "89"}, date(2025, 6, 1), "at_risk", 2025, "98.9"),
    ],
)
def test_status_rules(direction, target, values, today, status, latest_year, percent):
    result = _run(direction, target, values, today=today)
    assert (result.status, result.latest_year) == (status, latest_year)
    assert result.latest_value == (D(values[latest_year]) if latest_year else None)
    assert result.percent == (D(percent) if percent else None)


@pytest.mark.parametrize(
    "binding, values, today, flagged, this_year",
    [
        (True, {2022: "1"}, date(2023, 6, 1), True, 2023),
        (True, {2023: "1"}, date(2023, 6, 1), False, 2023),
        (True, {}, date(2023, 6, 1), True, 2023),
        (False, {}, date(2023, 6, 1), False, 2023),
        (True, {2025: "1"}, date(2031, 1, 1), False, 2025),  # the plan is over: its last year counts
        (True, {2021: "1"}, date(2020, 1, 1), False, 2021),
    ],
)
def test_binding_indicators_without_this_years_value_are_flagged(binding, values, today, flagged, this_year):
    result = _run("at_least", "100", values, today=today, binding=binding)
    assert (result.missing_this_year, result.this_year) == (flagged, this_year)


def test_an_earlier_target_year_ends_the_period_early():
    # Target 30 by 2023: after 2 of 3 years the path stands at 20.
    assert _run("at_least", "30", {2022: "20"}, target_year=2023).status == "on_track"
    assert _run("at_least", "30", {2022: "19"}, target_year=2023).status == "at_risk"
    assert _run("at_least", "30", {2023: "29"}, target_year=2023, today=date(2024, 1, 1)).status == "at_risk"


def test_arithmetic_is_exact():
    # 0.1 + 0.2 is 0.3 in Decimal (not in float): exactly the target.
    assert _run("at_least", "0.3", {2021: D("0.1") + D("0.2")}).status == "achieved"
    assert _run("exactly", "0.3", {2021: D("0.1") + D("0.2")}).status == "achieved"
    # The path after 1 of 3 years to 10 is 10/3: 3.3333 is short of it, 3.3334 is not.
    assert _run("at_least", "10", {2021: "3.3333"}, target_year=2023).status == "at_risk"
    assert _run("at_least", "10", {2021: "3.3334"}, target_year=2023).status == "on_track"


@pytest.mark.parametrize(
    "latest, target, percent",
    [
        ("1.005", "10", "10.1"),  # half away from zero, not to even
        ("1.0049", "10", "10.0"),
        ("-1.005", "10", "-10.1"),
        ("2", "3", "66.7"),
        ("1", "8", "12.5"),
        ("0", "5", "0.0"),
        ("5", "0", None),
    ],
)
def test_percent_of_target(latest, target, percent):
    assert percent_of_target(D(latest), D(target)) == (D(percent) if percent else None)


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        _run("roughly", "1", {})
