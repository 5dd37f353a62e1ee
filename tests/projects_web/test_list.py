"""The project list: filters, search, sorting, amount range, sums, pagination, exports, constant queries."""

import csv
import io
from decimal import Decimal

import pytest

from projects.services import banner_of
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Category, PlanYear
from tests.conftest import member
from projects.models import Place, Project
from tests.factories import BudgetFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _budget(project, year, total, beijing, local, **extra):
    return BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=project.plan, year=year),
                         total_investment=Decimal(total), beijing_funds=Decimal(beijing),
                         local_funds=Decimal(local), **extra)


@pytest.fixture
def portfolio(plan, other_plan):
    """Four projects of `plan` that differ in every filtered property, and one of another plan."""
    categories = {c.name_zh: c for c in Category.objects.filter(plan=plan)}
    banner = banner_of(plan)
    town_a = Place.objects.create(plan=plan, kind=Place.Kind.TOWNSHIP, name="巴彦呼舒镇", parent=banner)
    town_b = Place.objects.create(plan=plan, kind=Place.Kind.TOWNSHIP, name="代钦塔拉苏木", parent=banner)
    farm, health = UnitFactory(plan=plan, name="旗农科局"), UnitFactory(plan=plan, name="旗卫健委")
    cattle = ProjectFactory(plan=plan, name="肉牛改良项目", category=categories["产业合作类"], unit=farm,
                            township=town_a, location_text="巴彦呼舒镇哈吐布其嘎查", nature="续建",
                            status=Project.Status.IN_PROGRESS)
    _budget(cattle, 2021, "100", "60", "40", scale_and_content="改良母牛500头")
    _budget(cattle, 2022, "200.5", "120.25", "80.25", scale_and_content="改良母牛800头")
    _budget(cattle, 2023, "50", "30", "20")
    clinic = ProjectFactory(plan=plan, name="嘎查卫生室建设", category=categories["社会事业类"], unit=health,
                            township=town_b, location_text="代钦塔拉苏木", description="新建标准化卫生室",
                            status=Project.Status.PLANNED)
    _budget(clinic, 2022, "80", "80", "0")
    road = ProjectFactory(plan=plan, name="通村公路", category=categories["基础设施类"], unit=None,
                          location_text="科右中旗", nature="扩建", status=Project.Status.COMPLETED)
    _budget(road, 2021, "1000", "500", "500", scale_and_content="硬化道路12公里")
    training = ProjectFactory(plan=plan, name="致富带头人培训", category=categories["人才培训类"], unit=farm,
                              location_text="", status=Project.Status.PLANNED)  # no budget yet
    foreign = ProjectFactory(plan=other_plan, name="肉牛改良项目")
    _budget(foreign, 2022, "999", "999", "0", scale_and_content="改良母牛800头")
    return {"cattle": cattle, "clinic": clinic, "road": road, "training": training, "foreign": foreign,
            "town_a": town_a, "town_b": town_b, "farm": farm, "health": health, "categories": categories}


def _list(client, plan, **params):
    response = client.get(reverse("plan-projects", kwargs={"code": plan.code}), params)
    assert response.status_code == 200
    return response


def _names(response):
    return [project.name for project in response.context["page"]]


def test_everything_of_the_plan_is_listed_with_exact_sums(as_staff, plan, portfolio):
    response = _list(as_staff, plan)
    assert sorted(_names(response)) == sorted(["肉牛改良项目", "嘎查卫生室建设", "通村公路", "致富带头人培训"])
    cattle = next(p for p in response.context["page"] if p.name == "肉牛改良项目")
    assert (cattle.total_investment_sum, cattle.beijing_funds_sum, cattle.local_funds_sum) == (
        Decimal("350.5"), Decimal("210.25"), Decimal("140.25"))
    assert (cattle.first_year, cattle.last_year) == (2021, 2023)
    totals = response.context["totals"]
    assert (totals["total_investment"], totals["beijing_funds"]) == (Decimal("1430.5"), Decimal("790.25"))
    page = response.content.decode()
    assert "4 projects match." in page and "1,430.50" in page and "790.25" in page


def test_the_year_filter_keeps_projects_of_that_year_and_sums_that_year_once(as_staff, plan, portfolio):
    response = _list(as_staff, plan, year=2022, q="改良母牛")  # the search matches two of cattle's budgets
    assert _names(response) == ["肉牛改良项目"]
    cattle = response.context["page"][0]
    assert (cattle.total_investment_sum, cattle.beijing_funds_sum) == (Decimal("200.5"), Decimal("120.25"))
    assert response.context["totals"]["beijing_funds"] == Decimal("120.25")
    assert sorted(_names(_list(as_staff, plan, year=2022))) == ["嘎查卫生室建设", "肉牛改良项目"]
    assert sorted(_names(_list(as_staff, plan, year=2021))) == ["肉牛改良项目", "通村公路"]
    assert _names(_list(as_staff, plan, year=2025)) == []


@pytest.mark.parametrize("param, value_of, expected", [
    ("category", lambda p: p["categories"]["产业合作类"].pk, ["肉牛改良项目"]),
    ("unit", lambda p: p["farm"].pk, ["肉牛改良项目", "致富带头人培训"]),
    ("township", lambda p: p["town_b"].pk, ["嘎查卫生室建设"]),
    ("nature", lambda p: "扩建", ["通村公路"]),
    ("status", lambda p: "planned", ["嘎查卫生室建设", "致富带头人培训"]),
])
def test_each_filter(as_staff, plan, portfolio, param, value_of, expected):
    response = _list(as_staff, plan, **{param: value_of(portfolio)})
    assert sorted(_names(response)) == sorted(expected)


@pytest.mark.parametrize("text, expected", [
    ("肉牛", ["肉牛改良项目"]),  # name
    ("哈吐布其", ["肉牛改良项目"]),  # location text
    ("标准化", ["嘎查卫生室建设"]),  # description
    ("硬化道路", ["通村公路"]),  # a budget's scale and content
    ("不存在的词", []),
])
def test_search_by_name_and_content(as_staff, plan, portfolio, text, expected):
    assert _names(_list(as_staff, plan, q=text)) == expected


def test_amount_range_on_cooperation_funds_or_total_investment(as_staff, plan, portfolio):
    def names(**params):
        return set(_names(_list(as_staff, plan, **params)))

    assert names(amount="beijing_funds", amount_min="80", amount_max="210.25") == {"嘎查卫生室建设", "肉牛改良项目"}
    assert names(amount="beijing_funds", amount_min="210.26") == {"通村公路"}
    assert names(amount="total_investment", amount_min="350.5", amount_max="1,000") == {"通村公路", "肉牛改良项目"}
    assert names(amount="total_investment", amount_max="0") == {"致富带头人培训"}
    # With a year, the range applies to that year's amounts.
    assert names(year=2022, amount="beijing_funds", amount_min="100") == {"肉牛改良项目"}


def test_a_bad_filter_value_is_shown_as_an_error_and_nothing_is_listed(as_staff, plan, other_plan, portfolio):
    foreign_category = Category.objects.filter(plan=other_plan).first()
    response = as_staff.get(reverse("plan-projects", kwargs={"code": plan.code}), {
        "category": foreign_category.pk, "amount_min": "abc", "amount_max": "1.12345", "status": "planned"})
    form = response.context["form"]
    assert set(form.errors) == {"category", "amount_min", "amount_max"}
    assert response.status_code == 400 and "page" not in response.context  # no list that half-applies them


@pytest.mark.parametrize("sort, expected", [
    ("name", ["嘎查卫生室建设", "肉牛改良项目", "致富带头人培训", "通村公路"]),  # by code point
    ("-name", ["通村公路", "致富带头人培训", "肉牛改良项目", "嘎查卫生室建设"]),
    ("category", ["通村公路", "肉牛改良项目", "致富带头人培训", "嘎查卫生室建设"]),
    ("-total_investment", ["通村公路", "肉牛改良项目", "嘎查卫生室建设", "致富带头人培训"]),
    ("total_investment", ["致富带头人培训", "嘎查卫生室建设", "肉牛改良项目", "通村公路"]),
    ("-beijing_funds", ["通村公路", "肉牛改良项目", "嘎查卫生室建设", "致富带头人培训"]),
    ("first_year", ["肉牛改良项目", "通村公路", "嘎查卫生室建设", "致富带头人培训"]),
    ("-first_year", ["嘎查卫生室建设", "肉牛改良项目", "通村公路", "致富带头人培训"]),  # no budget: last
])
def test_sorting(as_staff, plan, portfolio, sort, expected):
    assert _names(_list(as_staff, plan, sort=sort)) == expected


def test_the_form_keeps_the_chosen_values(as_staff, plan, portfolio):
    page = _list(as_staff, plan, q="肉牛", year=2022, unit=portfolio["farm"].pk, amount_min="12.5",
                 sort="-name").content.decode()
    assert 'name="q" value="肉牛"' in page
    assert '<option value="2022" selected>' in page
    assert f'<option value="{portfolio["farm"].pk}" selected>' in page
    assert 'name="amount_min" value="12.5"' in page
    assert '<option value="-name" selected>' in page
    assert "1 project matches." in page


def test_fifty_projects_a_page(as_staff, plan):
    ProjectFactory.create_batch(55, plan=plan)
    first = _list(as_staff, plan, sort="name")
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 55
    second = _list(as_staff, plan, sort="name", page=2)
    assert len(second.context["page"]) == 5
    assert "55 projects match." in second.content.decode()
    assert "page=1" in second.content.decode() and "sort=name" in second.content.decode()


@pytest.mark.parametrize("sort", ["-total_investment", "name", "category", "-first_year"])
def test_pages_read_their_rows_after_the_order_and_carry_the_sums(as_staff, plan, sort):
    """A page takes its ids from the sorted list first (planportal.paging), then reads those rows with their sums:
    the pages together are the sorted list, each row with its own figures, whatever the sort."""
    for index, project in enumerate(ProjectFactory.create_batch(53, plan=plan)):
        BudgetFactory(project=project, total_investment=Decimal(index % 7), beijing_funds=Decimal(index % 7),
                      local_funds=Decimal(0))
    pages = [_list(as_staff, plan, sort=sort, page=number).context["page"] for number in (1, 2)]
    rows = [project for page in pages for project in page]
    expected = list(Project.objects.filter(plan=plan).order_by(
        {"-total_investment": "-budgets__total_investment", "name": "name", "category": "category__order",
         "-first_year": "-budgets__plan_year__year"}[sort], *(["name"] if sort != "name" else []), "pk"))
    assert [p.pk for p in rows] == [p.pk for p in expected] and len(pages[1]) == 3
    assert all(p.total_investment_sum == p.budgets.get().total_investment and p.budget_count == 1 for p in rows)


@pytest.mark.parametrize("params", [{}, {"year": 2022}, {"sort": "-name"}, {"category": "产业合作类", "year": 2021},
                                    {"unit": "旗农科局"}, {"township": "代钦塔拉苏木", "amount": "total_investment"},
                                    {"q": "肉牛"}, {"unit": "旗农科局", "category": "产业合作类"}])
def test_the_totals_are_the_stored_ones_when_current_and_live_otherwise(as_staff, plan, portfolio, params):
    """Filters the stored totals hold (a year, one category, unit or township) read them; any other, or a plan
    whose totals wait for a recompute, sums the rows. The figures are the same either way."""
    from rollups.services import recompute_plan

    def shown():
        return _list(as_staff, plan, **params).context["totals"]

    live = shown()  # nothing computed yet: summed from the rows
    recompute_plan(plan.pk)
    assert shown() == live
    from funding.services import budget_update
    from plans.access import SYSTEM

    cattle_2021 = portfolio["cattle"].budgets.get(plan_year__year=2021)
    budget_update(budget=cattle_2021, user=SYSTEM, beijing_funds=cattle_2021.beijing_funds + Decimal("1.5"),
                  total_investment=cattle_2021.total_investment + Decimal("1.5"))
    assert plan.recompute_state.__class__.objects.get(plan=plan).pending  # asked for, not yet run
    changed = shown()
    recompute_plan(plan.pk)
    assert shown() == changed
    if "year" not in params or params["year"] == 2021:
        if not {"township", "q"} & set(params) and params.get("unit", "旗农科局") == "旗农科局":
            assert changed["beijing_funds"] == live["beijing_funds"] + Decimal("1.5")


def _export(client, plan, fmt, **params):
    response = client.get(reverse("plan-projects", kwargs={"code": plan.code}), {**params, "format": fmt})
    assert response.status_code == 200
    assert f"{plan.code}-projects.{fmt}" in response["Content-Disposition"]
    return response


def test_csv_export_has_the_filtered_budgets_only(as_staff, plan, portfolio):
    response = _export(as_staff, plan, "csv", year=2022, q="肉牛")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["计划代码", "实施年度", "序号", "项目名称"]
    assert [(row[1], row[3], row[9]) for row in body] == [("2022", "肉牛改良项目", "120.25")]


def test_xlsx_export_has_the_filtered_budgets_only(as_staff, plan, portfolio):
    response = _export(as_staff, plan, "xlsx", unit=portfolio["farm"].pk)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "项目名称"
    assert sorted((row[1], row[3]) for row in rows[1:]) == [(2021, "肉牛改良项目"), (2022, "肉牛改良项目"),
                                                            (2023, "肉牛改良项目")]
    assert sum(Decimal(str(row[9])) for row in rows[1:]) == Decimal("210.25")


def _queries_for_list(client, plan, **params):
    with CaptureQueriesContext(connection) as captured:
        response = _list(client, plan, **params)
        response.content  # noqa: B018  (rendered)
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"year": 2022, "q": "项目", "amount_min": "1", "sort": "-beijing_funds"}])
def test_the_number_of_queries_does_not_grow_with_the_data(as_staff, plan, params):
    units = UnitFactory.create_batch(3, plan=plan)

    def add(count):
        for index in range(count):
            project = ProjectFactory(plan=plan, unit=units[index % 3])
            _budget(project, 2021, "10", "6", "4")
            _budget(project, 2022, "20", "12", "8", scale_and_content="内容")

    add(5)
    small = _queries_for_list(as_staff, plan, **params)
    add(35)
    assert _queries_for_list(as_staff, plan, **params) == small


@pytest.mark.parametrize("query", [{"amount_min": "abc"}, {"amount_max": "-5"}, {"amount_min": "1e3"},
                                   {"amount_min": "100", "amount_max": "10"}, {"unit": "没有这个单位"}])
def test_a_filter_that_cannot_be_read_lists_nothing_and_says_so(plan, client, query):
    client.force_login(member(plan, "staff"))
    url = reverse("plan-projects", kwargs={"code": plan.code})
    response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "no projects are listed" in html and "errorlist" in html
    assert "projects match" not in html and "project matches" not in html and "format=csv" not in html
    assert client.get(url, {**query, "format": "csv"}).status_code == 400  # nor exported as if filtered
