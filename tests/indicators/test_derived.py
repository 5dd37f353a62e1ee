"""Counts from the project portfolio: distinct villages and townships, recounted after a change."""

from decimal import Decimal

import pytest

from projects.services import banner_of

from indicators.models import DerivedValue
from indicators.services import derived_refresh
from plans.models import Category, PlanYear
from projects.models import Place, Project
from tests.factories import BudgetFactory, ProjectFactory
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(plan):
    banner = banner_of(plan)
    town_a = Place.objects.create(plan=plan, kind="township", name="杜尔基镇", parent=banner)
    town_b = Place.objects.create(plan=plan, kind="township", name="巴彦呼舒镇", parent=banner)
    return {
        "town_a": town_a,
        "town_b": town_b,
        "双金嘎查": Place.objects.create(plan=plan, kind="village", name="双金嘎查", parent=town_a),
        "乌逊嘎查": Place.objects.create(plan=plan, kind="village", name="乌逊嘎查", parent=town_b),
        # The township of this one was not recognised: the village hangs under the banner.
        "花灯嘎查": Place.objects.create(plan=plan, kind="village", name="花灯嘎查", parent=banner),
    }


def _project(plan, category_code, name, village, years=(), township=None):
    project = ProjectFactory(
        plan=plan, name=name, village=village, township=township,
        category=Category.objects.get(plan=plan, code=category_code),
    )
    for year in years:
        BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=plan, year=year))
    return project


def _derived(indicator):
    return {row.year: row.value for row in DerivedValue.objects.filter(indicator=indicator)}


def test_demonstration_villages_and_townships_are_counted_distinct_and_cumulative(plan, indicators, places):
    _project(plan, "revitalisation", "双金嘎查示范村打造项目", places["双金嘎查"], years=(2021, 2022))
    _project(plan, "revitalisation", "双金嘎查示范村二期", places["双金嘎查"], years=(2023,))  # same village again
    _project(plan, "revitalisation", "乌逊嘎查示范村打造项目", places["乌逊嘎查"], years=(2023,))
    _project(plan, "revitalisation", "花灯嘎查示范村打造项目", places["花灯嘎查"])  # no budget yet
    _project(plan, "revitalisation", "花灯嘎查道路硬化", places["花灯嘎查"], years=(2021,))  # not 示范
    _project(plan, "tourism", "示范村旅游", places["乌逊嘎查"], years=(2021,))  # 示范, but not 乡村振兴类

    stored = derived_refresh(plan=plan)

    assert _derived(indicators["main-4"]) == {
        None: 3, 2021: 1, 2022: 1, 2023: 2, 2024: 2, 2025: 2,
    }
    # 花灯嘎查's township is unknown, so two townships, not three.
    assert _derived(indicators["main-3"]) == {None: 2, 2021: 1, 2022: 1, 2023: 2, 2024: 2, 2025: 2}
    # Tourism villages: from 乡村旅游类 projects, as indicator and as goal.
    assert _derived(indicators["main-6"]) == {None: 1, 2021: 1, 2022: 1, 2023: 1, 2024: 1, 2025: 1}
    assert _derived(indicators["tourism_demo_gacha"]) == _derived(indicators["main-6"])
    assert _derived(indicators["main-2"]) == {}  # nothing in the projects counts 脱贫人口巩固率
    assert stored == 4 * 6
    assert all(isinstance(value, Decimal) for value in _derived(indicators["main-4"]).values())


def test_a_derived_indicator_recounts_after_a_project_changes(plan, indicators, places):
    project = _project(plan, "revitalisation", "乌逊嘎查示范村打造项目", places["乌逊嘎查"], years=(2022,))
    _project(plan, "revitalisation", "双金嘎查示范村打造项目", places["双金嘎查"], years=(2021,))
    derived_refresh(plan=plan)
    assert _derived(indicators["main-4"])[None] == 2

    project.village = places["双金嘎查"]  # the same village as the other project now
    project.save()
    derived_refresh(plan=plan)
    assert _derived(indicators["main-4"])[None] == 1

    project.village = places["花灯嘎查"]
    project.status = Project.Status.CANCELLED
    project.save()
    derived_refresh(plan=plan)
    assert _derived(indicators["main-4"])[None] == 1

    project.status = Project.Status.IN_PROGRESS
    project.save()
    derived_refresh(plan=plan)
    assert _derived(indicators["main-4"]) == {None: 2, 2021: 1, 2022: 2, 2023: 2, 2024: 2, 2025: 2}


def test_refreshing_is_idempotent_and_touches_only_its_plan(plan, other_plan, indicators, places):
    from indicators.services import indicators_load
    from tests.indicators.conftest import MAIN_ROWS

    theirs = {i.key: i for i in indicators_load(plan=other_plan, rows=MAIN_ROWS, source="", user=SYSTEM)}
    derived_refresh(plan=other_plan)
    _project(plan, "revitalisation", "双金嘎查示范村打造项目", places["双金嘎查"], years=(2021,))
    assert derived_refresh(plan=plan) == derived_refresh(plan=plan)
    assert DerivedValue.objects.filter(indicator=indicators["main-4"], year__isnull=True).get().value == 1
    assert DerivedValue.objects.filter(indicator=theirs["main-4"], year__isnull=True).get().value == 0


def test_counting_is_set_based(plan, indicators, places):
    """The number of queries does not grow with the number of projects."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            derived_refresh(plan=plan)
        return len(ctx.captured_queries)

    _project(plan, "revitalisation", "示范村0", places["双金嘎查"], years=(2021,))
    few = queries()
    for n in range(30):
        _project(plan, "revitalisation", f"示范村{n + 1}", places["乌逊嘎查"], years=(2022, 2023))
    assert queries() == few
