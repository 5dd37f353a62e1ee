"""Stated figures, totals, disagreements and indicators through the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures.models import StatedFigure
from indicators.models import Indicator, IndicatorValue
from indicators.services import indicators_load
from plans.models import Category, PlanYear
from rollups.services import recompute_plan
from tests.factories import BudgetFactory, ProjectFactory
from plans.access import SYSTEM


def _url(plan, what):
    return f"/api/plans/{plan.code}/{what}/"


def test_staff_add_manual_figures_only(plan, staff, client_for):
    client = client_for(staff)
    body = {"metric": "beijing_funds", "year": 2022, "category": "基础设施", "value": "1200.5", "unit": "万元",
            "source": "2022年工作要点"}
    response = client.post(_url(plan, "stated-figures"), body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["origin"], created["value"], created["category_name"], created["created_by"]) == (
        "manual", "1200.5", "基础设施类", staff.username)
    figure = StatedFigure.objects.get(pk=created["id"])
    assert figure.slot == StatedFigure.slot_for("manual", 2022, figure.category_id, "beijing_funds")
    again = client.post(_url(plan, "stated-figures"), body, format="json")
    assert again.status_code == 400 and list(again.json()) == ["metric"]
    annex = client.post(_url(plan, "stated-figures"), {**body, "origin": "annex", "year": 2023}, format="json")
    assert annex.status_code == 400 and list(annex.json()) == ["origin"]
    outside = client.post(_url(plan, "stated-figures"), {**body, "year": 2030}, format="json")
    assert outside.status_code == 400 and list(outside.json()) == ["year"]
    empty = client.post(_url(plan, "stated-figures"), {"metric": "", "value": "x"}, format="json")
    assert empty.status_code == 400 and set(empty.json()) == {"metric", "value", "source"}
    assert StatedFigure.objects.count() == 1


def test_a_correction_keeps_the_old_value_in_the_history(plan, figure, staff, client_for):
    client = client_for(staff)
    url = f"{_url(plan, 'stated-figures')}{figure.pk}/"
    missing = client.patch(url, {"value": "3"}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["version"]
    response = client.patch(url, {"value": "3", "source": "2021年附表 合计行（更正）", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    figure.refresh_from_db()
    assert (figure.value, figure.origin, figure.metric) == (Decimal("3"), "annex", "projects")
    history = list(figure.history.order_by("history_date").values_list("value", "history_user_id"))
    assert history[-2:] == [(Decimal("2"), None), (Decimal("3"), staff.pk)]
    changed = client.patch(url, {"metric": "beijing_funds", "year": 2022, "value": "4", "version": 2},
                           format="json")
    assert changed.status_code == 400 and set(changed.json()) == {"metric", "year"}
    full = client.get(url).json()
    assert client.put(url, {**full, "label": "合计"}, format="json").status_code == 200
    figure.refresh_from_db()
    assert (figure.value, figure.label) == (Decimal("3"), "合计")


def test_figure_filters(plan, figure, staff, client_for):
    infra = Category.objects.get(plan=plan, name_zh="基础设施类")
    whole = StatedFigure(plan=plan, origin="narrative", metric="projects", value=151, source="第二章").assign_slot()
    whole.save()
    by_category = StatedFigure(plan=plan, origin="narrative", year=2021, category=infra, metric="beijing_funds",
                               value=10, source="第二章").assign_slot()
    by_category.save()
    client = client_for(staff)

    def ids(**query):
        response = client.get(_url(plan, "stated-figures"), query)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(origin="annex") == [figure.pk]
    assert ids(year="all") == [whole.pk]
    assert ids(year=2021) == sorted([figure.pk, by_category.pk])
    assert ids(category="基础设施类") == [by_category.pk]
    assert ids(metric="projects") == sorted([figure.pk, whole.pk])
    bad = client.get(_url(plan, "stated-figures"), {"origin": "x", "year": "soon"})
    assert bad.status_code == 400 and set(bad.json()) == {"origin", "year"}


def test_totals_by_kind_and_year(plan, staff, client_for):
    BudgetFactory(project=ProjectFactory(plan=plan), total_investment=Decimal("168.15"),
                  beijing_funds=Decimal("100"), local_funds=Decimal("68.15"))
    BudgetFactory(project=ProjectFactory(plan=plan), plan_year=PlanYear.objects.get(plan=plan, year=2022),
                  total_investment=Decimal("0.0001"), beijing_funds=0, local_funds=Decimal("0.0001"))
    recompute_plan(plan.pk)
    client = client_for(staff)
    rows = client.get(_url(plan, "rollups"), {"kind": "total", "year": "all"}).json()["results"]
    assert [(r["projects"], r["total_investment"], r["local_funds"]) for r in rows] == [(2, "168.1501", "68.1501")]
    rows = client.get(_url(plan, "rollups"), {"kind": "category", "year": 2021}).json()["results"]
    assert [(r["category_name"], r["beijing_funds"]) for r in rows] == [("基础设施类", "100.00")]
    bad = client.get(_url(plan, "rollups"), {"kind": "village"})
    assert bad.status_code == 400 and list(bad.json()) == ["kind"]


def test_disagreements_by_status_year_and_kind(plan, budget, figure, staff, client_for):
    StatedFigure(plan=plan, origin="narrative", year=2021, metric="beijing_funds", value=Decimal("800"),
                 source="第二章").assign_slot().save()
    recompute_plan(plan.pk)
    client = client_for(staff)
    rows = client.get(_url(plan, "variances"), {"status": "differs"}).json()["results"]
    assert [(r["metric"], r["stated"], r["computed"], r["difference"], r["source"]) for r in rows] == [
        ("projects", "2", "1", "-1", "2021年附表 合计行")]
    agreeing = client.get(_url(plan, "variances"), {"status": "agrees", "year": 2021, "kind": "figure"}).json()
    assert [r["metric"] for r in agreeing["results"]] == ["beijing_funds"]
    assert client.get(_url(plan, "variances"), {"year": "all"}).json()["count"] == 0
    bad = client.get(_url(plan, "variances"), {"status": "wrong", "kind": "x"})
    assert bad.status_code == 400 and set(bad.json()) == {"status", "kind"}


def test_indicators_show_their_progress(plan, indicator, staff, client_for):
    IndicatorValue.objects.create(indicator=indicator, year=plan.first_year, value=Decimal("100"),
                                  entered_at="2022-01-01T00:00:00Z")
    row = client_for(staff).get(_url(plan, "indicators")).json()["results"][0]
    assert (row["name"], row["target"], row["latest_value"], row["percent"], row["status"]) == (
        "脱贫人口巩固率", "100", "100", "100", "achieved")
    assert row["latest_year"] == plan.first_year


def test_staff_report_and_correct_a_value(plan, indicator, staff, client_for):
    client = client_for(staff)
    url = f"{_url(plan, 'indicators')}{indicator.pk}/values/"
    this_year = min(max(date.today().year, plan.first_year), plan.last_year)
    first = client.post(url, {"year": this_year, "value": "95.5", "note": "统计公报"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["version"] == 1
    unversioned = client.post(url, {"year": this_year, "value": "96"}, format="json")
    assert unversioned.status_code == 400 and list(unversioned.json()) == ["version"]
    second = client.post(url, {"year": this_year, "value": "96", "evidence_text": "更正", "version": 1},
                         format="json")
    assert second.status_code == 200 and second.json()["version"] == 2
    assert (second.json()["value"], second.json()["entered_by"]) == ("96", staff.username)
    value = IndicatorValue.objects.get(indicator=indicator)
    assert [h.value for h in value.history.order_by("history_date")] == [Decimal("95.5"), Decimal("96")]
    assert client.get(url).json()[0]["value"] == "96"
    row = client.get(_url(plan, "indicators")).json()["results"][0]
    assert (row["latest_value"], row["status"], row["missing_this_year"]) == ("96", "on_track" if this_year < 2025
                                                                              else "at_risk", False)
    bad = client.post(url, {"year": 2030, "value": "abc"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["value"]
    outside = client.post(url, {"year": 2030, "value": "1"}, format="json")
    assert outside.status_code == 400 and list(outside.json()) == ["year"]


def test_an_indicator_of_another_plan_is_not_found(plan, other_plan, staff, client_for):
    rows = [{"seq": 1, "name": "农村低收入人口数", "unit": "万人", "target": "0", "target_year": 2025,
             "attribute": "binding"}]
    foreign = indicators_load(plan=other_plan, rows=rows, source="专栏1", user=SYSTEM)[0]
    url = f"{_url(plan, 'indicators')}{foreign.pk}/values/"
    assert client_for(staff).get(url).status_code == 404
    assert client_for(staff).post(url, {"year": 2021, "value": "1"}, format="json").status_code == 404
    assert not IndicatorValue.objects.exists()


def _figures_totals_and_indicators(plan, count):
    StatedFigure.objects.filter(plan=plan).delete()
    Indicator.objects.filter(plan=plan).delete()
    categories = list(Category.objects.filter(plan=plan))
    rows = [{"seq": n, "name": f"指标{n}", "unit": "个", "target": "10", "target_year": 2025, "attribute": "expected"}
            for n in range(1, count + 1)]
    for n, indicator in enumerate(indicators_load(plan=plan, rows=rows, source="专栏1", user=SYSTEM)):
        StatedFigure(plan=plan, origin="narrative", year=2021 + n % 5, category=categories[n % len(categories)],
                     metric=f"metric-{n}", value=n, source="第二章").assign_slot().save()
        BudgetFactory(project=ProjectFactory(plan=plan, category=categories[n % len(categories)]))
        IndicatorValue.objects.create(indicator=indicator, year=2021, value=n, entered_at="2022-01-01T00:00:00Z")
    recompute_plan(plan.pk)


@pytest.mark.parametrize("what", ["stated-figures", "rollups", "variances", "indicators"])
def test_the_lists_cost_the_same_queries_for_5_or_30_rows(plan, staff, client_for, what):
    client = client_for(staff)

    def queries(count):
        _figures_totals_and_indicators(plan, count)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(plan, what))
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    (few, few_rows), (many, many_rows) = queries(5), queries(30)
    assert few == many and few_rows < many_rows
