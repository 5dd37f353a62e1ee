"""Budgets through the API: exact amounts as decimal strings, versions, approved years, field errors."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import AnnualBudget
from plans.models import Category, PlanYear
from tests.api.conftest import approve
from tests.factories import BudgetFactory, ProjectFactory


def _url(plan, pk=None):
    return f"/api/plans/{plan.code}/budgets/" + (f"{pk}/" if pk else "")


def test_amounts_are_exact_decimal_strings(plan, project, staff, client_for):
    response = client_for(staff).post(_url(plan), {
        "project": project.pk, "year": 2023, "total_investment": "168.15", "beijing_funds": 100,
        "local_funds": "68.1501", "nature": "续建",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_investment"], body["beijing_funds"], body["local_funds"]) == ("168.15", "100.00", "68.1501")
    assert (body["actual_beijing_funds"], body["year"], body["version"]) == (None, 2023, 1)
    budget = AnnualBudget.objects.get(pk=body["id"])
    assert (budget.total_investment, budget.local_funds) == (Decimal("168.15"), Decimal("68.1501"))
    assert budget.history.get().history_user == staff


def test_bad_budgets_are_400_with_the_field_names(plan, other_plan, project, budget, staff, client_for):
    client = client_for(staff)
    inexact = client.post(_url(plan), {"project": project.pk, "year": 2023, "total_investment": "1.00001",
                                       "local_funds": "-1", "nature": "翻建"}, format="json")
    assert inexact.status_code == 400 and set(inexact.json()) == {"total_investment", "local_funds", "nature"}
    outside = client.post(_url(plan), {"project": project.pk, "year": 2030}, format="json")
    assert outside.status_code == 400 and list(outside.json()) == ["year"]  # the service's plan_year error
    twice = client.post(_url(plan), {"project": project.pk, "year": 2021}, format="json")
    assert twice.status_code == 400 and list(twice.json()) == ["non_field_errors"]
    foreign = client.post(_url(plan), {"project": ProjectFactory(plan=other_plan).pk, "year": 2023}, format="json")
    assert foreign.status_code == 400 and list(foreign.json()) == ["project"]
    assert AnnualBudget.objects.count() == 1


def test_a_change_sends_its_version_and_cannot_move_the_budget(plan, budget, staff, client_for):
    client, other_project = client_for(staff), ProjectFactory(plan=plan)
    missing = client.patch(_url(plan, budget.pk), {"beijing_funds": "1"}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["version"]
    moved = client.patch(_url(plan, budget.pk), {"project": other_project.pk, "version": 1}, format="json")
    assert moved.status_code == 400 and list(moved.json()) == ["project"]
    # The whole record as read, changed and sent back, is accepted.
    record = client.get(_url(plan, budget.pk)).json()
    response = client.put(_url(plan, budget.pk), {**record, "beijing_funds": "801.25", "year": 2022}, format="json")
    assert response.status_code == 200, response.content
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.year, budget.version, budget.project_id) == (
        Decimal("801.25"), 2022, 2, record["project"])


def test_a_stale_change_is_refused_and_nothing_is_overwritten(plan, budget, staff, plan_admin, client_for):
    first, second = client_for(staff), client_for(plan_admin)
    assert first.patch(_url(plan, budget.pk), {"local_funds": "650", "version": 1}, format="json").status_code == 200
    response = second.put(_url(plan, budget.pk), {"project": budget.project_id, "year": 2021, "local_funds": "1",
                                                  "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current"]["local_funds"], body["current"]["version"]) == ("stale", "650.00", 2)
    budget.refresh_from_db()
    assert (budget.local_funds, budget.version) == (Decimal("650"), 2)


def test_nothing_changes_in_an_approved_year(plan, budget, staff, client_for):
    client = client_for(staff)
    approve(plan, 2021)
    attempts = [
        client.patch(_url(plan, budget.pk), {"beijing_funds": "1", "version": 1}, format="json"),
        client.post(_url(plan), {"project": ProjectFactory(plan=plan).pk, "year": 2021}, format="json"),
        client.delete(_url(plan, budget.pk)),
    ]
    assert [(r.status_code, r.json()["code"]) for r in attempts] == [(409, "year_locked")] * 3
    PlanYear.objects.filter(plan=plan).update(review_status=PlanYear.Review.OPEN)
    other = BudgetFactory(project=ProjectFactory(plan=plan), plan_year=PlanYear.objects.get(plan=plan, year=2022))
    approve(plan, 2021)
    moved = client.patch(_url(plan, other.pk), {"year": 2021, "version": 1}, format="json")
    assert (moved.status_code, moved.json()["code"]) == (409, "year_locked")
    budget.refresh_from_db()
    other.refresh_from_db()
    assert (budget.beijing_funds, budget.version, other.year) == (Decimal("800"), 1, 2022)


def test_delete(plan, budget, staff, client_for):
    assert client_for(staff).delete(_url(plan, budget.pk)).status_code == 204
    assert not AnnualBudget.objects.exists()
    assert AnnualBudget.history.get(history_type="-").history_user == staff


def test_filters(plan, other_plan, staff, client_for):
    industry = Category.objects.get(plan=plan, name_zh="产业合作类")
    a = BudgetFactory(project=ProjectFactory(plan=plan))
    b = BudgetFactory(project=ProjectFactory(plan=plan, category=industry),
                      plan_year=PlanYear.objects.get(plan=plan, year=2024))
    BudgetFactory(project=ProjectFactory(plan=other_plan))
    client = client_for(staff)

    def ids(**query):
        return [row["id"] for row in client.get(_url(plan), query).json()["results"]]

    assert ids() == [a.pk, b.pk]
    assert ids(year=2024) == [b.pk]
    assert ids(project=a.project_id) == [a.pk]
    assert ids(category="产业合作类") == [b.pk] == ids(category=industry.pk) == ids(category="industry")
    assert ids(ordering="-id") == [b.pk, a.pk]
    response = client.get(_url(plan), {"year": "last", "project": "x", "category": "无"})
    assert response.status_code == 400 and set(response.json()) == {"year", "project", "category"}


def test_the_list_costs_the_same_queries_for_5_or_30_budgets(plan, staff, client_for):
    client = client_for(staff)

    def queries(count):
        AnnualBudget.objects.all().delete()
        for _n in range(count):
            BudgetFactory(project=ProjectFactory(plan=plan))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(plan), {"category": "基础设施类"})
        assert len(response.json()["results"]) == count
        return len(captured)

    assert queries(5) == queries(30)


def test_lists_are_paginated(plan, staff, client_for):
    for _n in range(3):
        BudgetFactory(project=ProjectFactory(plan=plan))
    body = client_for(staff).get(_url(plan), {"limit": 2, "offset": 2}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (3, 1, None)
    assert body["previous"]
