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


def _totals(plan) -> dict:
    from rollups.models import Rollup

    fields = ("projects", "total_investment", "beijing_funds", "local_funds", "actual_beijing_funds",
              "actual_local_funds")
    return {(r.kind, r.year, r.category_id, r.unit_id, r.township_id): (r.pk, *(getattr(r, f) for f in fields))
            for r in Rollup.objects.filter(plan=plan)}


def test_a_recompute_writes_what_changed_and_agrees_with_one_from_scratch(agreeing):
    """On PostgreSQL only the totals whose figures moved are rewritten; elsewhere all are. Either way the
    result is what a recompute from nothing gives, gone totals included."""
    from django.db import connection

    from funding.models import AnnualBudget
    from funding.services import budget_delete, budget_update
    from rollups.models import Rollup

    plan, infra, industry = agreeing
    road = AnnualBudget.objects.get(project__plan=plan, project__category=infra)
    budget_create(project=road.project, year=2022, total_investment=Decimal("30"), beijing_funds=Decimal("30"),
                  user=SYSTEM)  # a year the edits below leave alone
    recompute_plan(plan.pk)
    before = _totals(plan)
    budget_update(budget=road, user=SYSTEM, beijing_funds=Decimal("70"), total_investment=Decimal("110"))
    budget_delete(budget=AnnualBudget.objects.get(project__plan=plan, project__category=industry), user=SYSTEM)
    recompute_plan(plan.pk)
    after = _totals(plan)
    Rollup.objects.filter(plan=plan).delete()
    recompute_plan(plan.pk)
    scratch = _totals(plan)
    assert {k: v[1:] for k, v in after.items()} == {k: v[1:] for k, v in scratch.items()}
    # The industry category's totals are gone with its only budget; the road's moved.
    assert not any(key[2] == industry.pk for key in after)
    assert after[("category", 2021, infra.pk, None, None)][1:4] == (1, Decimal("110"), Decimal("70"))
    kept = {key for key in after if before.get(key, (None,))[0] == after[key][0]}
    unchanged = {key for key in after if key in before and before[key][1:] == after[key][1:]}
    assert ("total", 2022, None, None, None) in unchanged and ("total", 2021, None, None, None) not in unchanged
    if connection.vendor == "postgresql":
        assert kept == unchanged  # the same rows, not rewritten
    else:
        assert not kept
