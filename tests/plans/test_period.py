"""A plan knows from its years and the date whether it is running, ended or not started."""

from datetime import date

from plans.models import Plan


def test_the_period_follows_the_calendar():
    plan = Plan(first_year=2021, last_year=2025)
    assert plan.period(date(2020, 12, 31)) == Plan.Period.NOT_STARTED
    assert plan.period(date(2021, 1, 1)) == plan.period(date(2025, 12, 31)) == Plan.Period.RUNNING
    assert plan.period(date(2026, 12, 2)) == Plan.Period.ENDED
    assert [plan.current_year(date(y, 6, 1)) for y in (2019, 2023, 2026)] == [2021, 2023, 2025]
