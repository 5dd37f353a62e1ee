"""Sums of money are exact on SQLite and PostgreSQL alike.

SQLite has no decimal type: a DECIMAL column there is a 15-digit float and
SUM() drifts. Amounts are stored as integer yuan, so the database adds
integers; these tests prove the sums equal the exact Decimal sum.
"""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from funding.models import AnnualBudget
from plans.models import PlanYear
from projects.models import Project
from tests.factories import PlanFactory

DOCUMENT_AMOUNTS = [Decimal("168.15"), Decimal("86.5"), Decimal("1921.11"), Decimal("54881.65"), Decimal("0.01")]


def _fill(plan, amounts, batch=2000):
    """One budget per amount, five years per project, written in bulk."""
    years = list(PlanYear.objects.filter(plan=plan).order_by("year"))
    category = plan.categories.first()
    n_projects = -(-len(amounts) // len(years))
    Project.objects.bulk_create(
        (Project(plan=plan, name=f"项目{i}", category=category) for i in range(n_projects)), batch_size=batch
    )
    project_ids = list(Project.objects.filter(plan=plan).order_by("id").values_list("id", flat=True))
    budgets = (
        AnnualBudget(
            project_id=project_ids[i // len(years)],
            plan_year=years[i % len(years)],
            total_investment=amount + amount,
            beijing_funds=amount,
            local_funds=amount,
        )
        for i, amount in enumerate(amounts)
    )
    AnnualBudget.objects.bulk_create(budgets, batch_size=batch)


@pytest.mark.django_db
def test_sum_of_document_amounts_repeated_is_exact():
    plan = PlanFactory()
    amounts = DOCUMENT_AMOUNTS * 2000  # 10,000 rows
    _fill(plan, amounts)
    totals = AnnualBudget.objects.for_plan(plan).totals()
    expected = sum(amounts, Decimal(0))
    assert expected == Decimal("114114840.00")
    assert totals["beijing_funds"] == expected
    assert totals["local_funds"] == expected
    assert totals["total_investment"] == 2 * expected
    assert totals["budgets"] == len(amounts)


@pytest.mark.django_db
def test_sum_of_100000_random_two_decimal_amounts_is_exact():
    rng = random.Random(20211225)
    amounts = [Decimal(rng.randrange(0, 100_000_000)) / 100 for _ in range(100_000)]  # up to 10⁶ 万元
    expected = sum(amounts, Decimal(0))
    # The data is hard enough to catch drift: summing the same values as floats is off.
    assert Decimal(repr(sum(float(a) for a in amounts))) != expected

    plan = PlanFactory()
    _fill(plan, amounts, batch=5000)
    totals = AnnualBudget.objects.for_plan(plan).totals()
    assert totals["beijing_funds"] == expected
    assert totals["total_investment"] == 2 * expected

    # Grouped sums (what rollups will do) are exact too, and add up to the whole.
    by_year = AnnualBudget.objects.for_plan(plan).values("plan_year__year").annotate(
        s=Sum("beijing_funds")
    )
    assert sum((row["s"] for row in by_year), Decimal(0)) == expected

    # And the raw column really is integer yuan, whatever the database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(beijing_funds) FROM funding_annualbudget b "
            "JOIN plans_planyear y ON y.id = b.plan_year_id WHERE y.plan_id = %s",
            [plan.pk],
        )
        (raw_sum,) = cursor.fetchone()
    assert int(raw_sum) == int(expected * 10_000)


@pytest.mark.django_db
def test_sum_of_nothing_is_none_and_null_actuals_are_not_zero(budget):
    plan = budget.project.plan
    assert AnnualBudget.objects.for_plan(plan).in_year(2025).totals()["beijing_funds"] is None
    assert AnnualBudget.objects.for_plan(plan).totals()["actual_beijing_funds"] is None
