from decimal import Decimal

import pytest

from figures.models import KeyProject, StatedFigure
from indicators.services import indicator_create, indicator_value_set
from plans.access import SYSTEM
from plans.models import PlanYear
from projects.models import Project
from rollups.services import recompute_plan
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory


@pytest.fixture
def bundled(db, settings):
    """The bundled plan (annex, stated figures, key projects, indicators), its totals recomputed."""
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    from portal.bundled import bundled_plan_ensure

    plan, _created = bundled_plan_ensure()
    recompute_plan(plan.pk)
    return plan


def figure(plan, origin, year, category, metric, value, unit="", source=None):
    stated = StatedFigure(plan=plan, origin=origin, year=year, category=category, metric=metric, value=Decimal(value),
                          unit=unit, source=source or f"{origin} {year or 'all'} {metric}").assign_slot()
    stated.save()
    return stated


def build_plan(*, projects_per_category: int, ascii_data: bool = False, **plan_fields):
    """A plan with projects of every status and category, budgets in every year (some disbursed), stated
    figures per year and category, key projects found and missing, indicators with values and evidence."""
    plan = PlanFactory(**plan_fields)
    if ascii_data:
        for number, category in enumerate(plan.categories.order_by("order")):
            category.name_zh = f"Category {number}"
            category.save(update_fields=["name_zh"])
    categories = list(plan.categories.order_by("order")[:3])
    years = {y.year: y for y in PlanYear.objects.filter(plan=plan)}
    statuses = list(Project.Status.values)
    for category in categories:
        for number in range(projects_per_category):
            project = ProjectFactory(plan=plan, category=category, status=statuses[number % len(statuses)],
                                     name=f"Project {category.pk}-{number}" if ascii_data else f"项目{category.pk}-{number}")
            for year in plan.years:
                BudgetFactory(project=project, plan_year=years[year], total_investment=Decimal("10.5"),
                              beijing_funds=Decimal("7.25"), local_funds=Decimal("3.25"),
                              actual_beijing_funds=Decimal("7") if number % 2 else None)
        for year in plan.years:
            figure(plan, "annex", year, category, "beijing_funds", str(Decimal("7.25") * projects_per_category))
            figure(plan, "narrative", year, category, "projects", projects_per_category + 1)
    figure(plan, "narrative", None, None, "jobs_created", 100, unit="people")
    KeyProject.objects.create(plan=plan, column=2, title="Box 2", first_year=2021, last_year=2022,
                              name=f"Project {categories[0].pk}-0" if ascii_data else f"项目{categories[0].pk}-0",
                              source="box 2")
    KeyProject.objects.create(plan=plan, column=3, title="Box 3", first_year=2023, last_year=2023,
                              name="Missing project", source="box 3")
    for seq in range(1, 4):
        indicator = indicator_create(plan=plan, user=SYSTEM, seq=seq, name=f"Indicator {seq}", unit="pcs",
                                     target=Decimal(10), target_year=2025, attribute="expected")
        for year, value in ((2022, 4), (2025, 8 + seq)):
            indicator_value_set(indicator=indicator, year=year, value=str(value), user=SYSTEM,
                                evidence_text=f"report {year}")
    recompute_plan(plan.pk)
    return plan


@pytest.fixture
def small_plan(db, settings):
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    return build_plan(projects_per_category=2, ascii_data=True, name="Test plan", county="Test county",
                      partner="Test partner")


@pytest.fixture
def big_plan(db, settings):
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    return build_plan(projects_per_category=12)
