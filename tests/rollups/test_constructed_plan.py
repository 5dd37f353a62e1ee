"""A small plan whose stated figures agree with its rows reports no disagreement; each change is caught."""

from decimal import Decimal

import pytest

from figures.models import KeyProject, StatedFigure
from funding.services import budget_create
from projects.services import project_create
from rollups.models import Variance
from rollups.services import recompute_plan
from plans.access import SYSTEM


def _figure(plan, origin, year, category, metric, value):
    figure = StatedFigure(plan=plan, origin=origin, year=year, category=category, metric=metric,
                          value=Decimal(value), source=f"test {origin} {year} {metric}").assign_slot()
    figure.save()
    return figure


@pytest.fixture
def agreeing(plan, settings):
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    infra, industry = plan.categories.order_by("order")[:2]
    road = project_create(plan=plan, name="科右中旗道路项目", category=infra, location_text="科右中旗", user=SYSTEM)
    cattle = project_create(plan=plan, name="肉牛改良项目", category=industry, location_text="科右中旗", user=SYSTEM)
    budget_create(project=road, year=2021, total_investment=Decimal("100"), beijing_funds=Decimal("60"),
                  local_funds=Decimal("40"), user=SYSTEM)
    budget_create(project=cattle, year=2021, total_investment=Decimal("50.5"), beijing_funds=Decimal("50.5"), user=SYSTEM)
    for origin in ("annex", "narrative"):
        _figure(plan, origin, 2021, None, "projects", 2)
        _figure(plan, origin, 2021, None, "beijing_funds", "110.5")
        _figure(plan, origin, 2021, infra, "projects", 1)
        _figure(plan, origin, 2021, infra, "beijing_funds", 60)
        _figure(plan, origin, 2021, industry, "projects", 1)
        _figure(plan, origin, 2021, industry, "beijing_funds", "50.5")
    _figure(plan, "narrative", None, None, "beijing_funds", "110.5")
    KeyProject.objects.create(plan=plan, column=2, title="2021年基础设施类", first_year=2021, last_year=2021,
                              name="道路项目--巴彦呼舒镇", source="专栏2")
    recompute_plan(plan.pk)
    return plan, infra, industry


def test_agreeing_figures_report_nothing(agreeing):
    plan, *_ = agreeing
    assert not Variance.objects.filter(plan=plan, status="differs").exists()
    kinds = set(Variance.objects.filter(plan=plan, status="agrees").values_list("kind", flat=True))
    assert kinds == {"figure", "parts", "years", "category_empty", "key_project"}


def test_each_disagreement_is_caught(agreeing):
    plan, infra, industry = agreeing
    StatedFigure.objects.filter(plan=plan, origin="annex", year=2021, category=infra, metric="beijing_funds").update(
        value=Decimal("61"))
    _figure(plan, "narrative", 2021, plan.categories.get(name_zh="乡村旅游类"), "projects", 1)
    KeyProject.objects.create(plan=plan, column=3, title="2021年产业协作类", first_year=2021, last_year=2021,
                              name="不存在的项目", source="专栏3")
    recompute_plan(plan.pk)
    differs = {(v.kind, v.metric, v.category.name_zh if v.category else None)
               for v in Variance.objects.filter(plan=plan, status="differs").select_related("category")}
    assert ("figure", "beijing_funds", "基础设施类") in differs  # stated 61, rows 60
    assert ("parts", "beijing_funds", None) in differs  # 合计 110.5 against subtotals 111.5
    assert ("category_empty", "projects", "乡村旅游类") in differs
    assert ("key_project", "key_project", None) in differs
    figure = Variance.objects.get(plan=plan, status="differs", kind="figure", category=infra)
    assert (figure.stated, figure.computed, figure.difference) == (Decimal("61"), Decimal("60"), Decimal("-1"))


def test_a_recompute_never_deletes_stated_figures(agreeing):
    plan, *_ = agreeing
    before = StatedFigure.objects.filter(plan=plan).count()
    recompute_plan(plan.pk)
    recompute_plan(plan.pk)
    assert StatedFigure.objects.filter(plan=plan).count() == before
