"""Rules the database itself enforces, bypassing every Python check (queryset.update, raw create)."""

from decimal import Decimal

import pytest

from projects.services import banner_of
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from funding.models import AnnualBudget
from funding.services import budget_create, budget_update
from plans.models import Plan, PlanYear
from plans.services import plan_update
from projects.models import Place, Project
from tests.factories import BudgetFactory, ProjectFactory
from plans.access import SYSTEM


def _refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.parametrize(
    "field", ["total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds"]
)
def test_negative_amount_is_refused_by_the_database(budget, field):
    _refused(lambda: AnnualBudget.objects.filter(pk=budget.pk).update(**{field: Decimal("-0.01")}))
    budget.refresh_from_db()
    assert getattr(budget, field) in (None, Decimal("1500"), Decimal("800"), Decimal("700"))


def test_second_budget_for_the_same_year_is_refused(budget):
    _refused(
        lambda: AnnualBudget.objects.create(
            project=budget.project, plan_year=budget.plan_year, total_investment=Decimal("1")
        )
    )
    assert AnnualBudget.objects.filter(project=budget.project).count() == 1


def test_budget_year_outside_the_plan_has_nothing_to_point_at(project):
    # There is no PlanYear for 2026, so no budget can reference it...
    assert not PlanYear.objects.filter(plan=project.plan, year=2026).exists()
    with pytest.raises(ValidationError) as caught:
        budget_create(project=project, year=2026, total_investment=Decimal("1"), user=SYSTEM)
    assert "2026" in str(caught.value) and "2021–2025" in str(caught.value)
    # ...and a raw insert with a made-up plan year id breaks the foreign key. Django's
    # foreign keys are checked at commit; check_constraints() asks for that check now.
    def insert_and_check():
        AnnualBudget.objects.create(project=project, plan_year_id=987654321)
        connection.check_constraints(table_names=["funding_annualbudget"])

    _refused(insert_and_check)


def test_budget_for_another_plans_year_is_refused(project, other_plan):
    foreign_year = PlanYear.objects.get(plan=other_plan, year=2022)
    budget = AnnualBudget(project=project, plan_year=foreign_year)
    with pytest.raises(ValidationError, match="另一个规划"):
        budget.full_clean()


def test_a_year_with_budgets_cannot_be_dropped_from_the_plan(budget):
    plan = budget.project.plan
    with pytest.raises(ValidationError, match="2021"):
        plan_update(plan=plan, first_year=2022, last_year=2025, user=SYSTEM)
    _refused(lambda: PlanYear.objects.filter(plan=plan, year=2021).delete())
    plan.refresh_from_db()
    assert (plan.first_year, plan.last_year) == (2021, 2025)


def test_changing_plan_years_keeps_plan_years_in_step(plan):
    plan_update(plan=plan, first_year=2021, last_year=2027, user=SYSTEM)
    assert list(PlanYear.objects.filter(plan=plan).values_list("year", flat=True)) == list(range(2021, 2028))
    plan_update(plan=plan, first_year=2023, last_year=2024, user=SYSTEM)
    assert list(PlanYear.objects.filter(plan=plan).values_list("year", flat=True)) == [2023, 2024]


def test_plan_years_must_be_ordered(plan):
    _refused(lambda: Plan.objects.filter(pk=plan.pk).update(first_year=2026))


def test_unknown_nature_and_status_are_refused(project):
    _refused(lambda: Project.objects.filter(pk=project.pk).update(nature="改建"))
    _refused(lambda: Project.objects.filter(pk=project.pk).update(status="lost"))


def test_project_name_cannot_be_empty(project):
    _refused(lambda: Project.objects.filter(pk=project.pk).update(name=""))


def test_place_hierarchy_rules(plan):
    banner = banner_of(plan)
    _refused(lambda: Place.objects.create(plan=plan, kind="township", name="无上级镇"))
    _refused(lambda: Place.objects.create(plan=plan, kind="banner", name="另一旗", parent=banner))
    town = Place.objects.create(plan=plan, kind="township", name="巴彦呼舒镇", parent=banner)
    _refused(lambda: Place.objects.create(plan=plan, kind="township", name="巴彦呼舒镇", parent=banner))
    # The same village name under two townships is two places.
    other_town = Place.objects.create(plan=plan, kind="township", name="杜尔基镇", parent=banner)
    Place.objects.create(plan=plan, kind="village", name="新艾里嘎查", parent=town)
    Place.objects.create(plan=plan, kind="village", name="新艾里嘎查", parent=other_town)


def test_amount_with_a_fraction_of_a_yuan_is_refused(project):
    with pytest.raises(ValidationError):
        budget_create(project=project, year=2022, total_investment=Decimal("1.00001"), user=SYSTEM)
    assert not AnnualBudget.objects.filter(project=project).exists()


def test_budget_update_moves_year_and_validates(budget):
    budget_update(budget=budget, year=2023, beijing_funds=Decimal("168.15"), user=SYSTEM)
    budget.refresh_from_db()
    assert budget.year == 2023
    assert budget.beijing_funds == Decimal("168.15")
    with pytest.raises(ValidationError):
        budget_update(budget=budget, local_funds=Decimal("-1"), user=SYSTEM)


def test_project_pointing_at_another_plans_category_is_invalid(plan, other_plan):
    project = ProjectFactory.build(plan=plan, category=other_plan.categories.first())
    with pytest.raises(ValidationError, match="另一个规划"):
        project.full_clean()


def test_amounts_come_back_as_exact_decimals(project):
    budget = BudgetFactory(
        project=project, total_investment=Decimal("1921.11"), beijing_funds=Decimal("168.15"), local_funds=0
    )
    budget.refresh_from_db()
    assert budget.total_investment == Decimal("1921.11")
    assert isinstance(budget.beijing_funds, Decimal) and str(budget.beijing_funds) == "168.15"
    assert AnnualBudget.objects.filter(beijing_funds__gt=Decimal("168.14")).count() == 1
    assert AnnualBudget.objects.filter(beijing_funds__gt=Decimal("168.15")).count() == 0


def test_messages_are_chinese_by_default_and_english_on_request(project, other_plan):
    from django.utils import translation

    budget = AnnualBudget(project=project, plan_year=PlanYear.objects.get(plan=other_plan, year=2022))
    with pytest.raises(ValidationError) as chinese:
        budget.full_clean()
    assert "该年度属于另一个规划" in str(chinese.value)
    with translation.override("en"):
        with pytest.raises(ValidationError) as english:
            budget.full_clean()
        assert "This year belongs to another plan" in str(english.value)
