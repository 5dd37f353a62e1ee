"""funding.filters.ProjectFilterSet: the one definition of the project filters (page, API, admin).

Each filter, a record by id or by name, another plan's values refused, hostile values as
errors (never exceptions), the amount range on the chosen year's sums, a constant number
of queries; the admin's SimpleListFilter classes; the API's documented parameters.
"""

from decimal import Decimal

import pytest
from django.contrib.admin import SimpleListFilter
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from funding.filters import (
    ADMIN_PLAN_PARAMETER,
    ProjectFilterSet,
    ProjectListFilterSet,
    admin_list_filters,
    project_list,
)
from plans.access import SYSTEM
from plans.models import Category, PlanYear
from projects.models import Place, Project
from projects.services import banner_of, project_create, unit_for_spelling
from tests.conftest import member
from tests.factories import BudgetFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_NAMES = ["year", "category", "unit", "township", "nature", "status"]


def _budget(project, year, total, beijing, **extra):
    return BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=project.plan, year=year),
                         total_investment=Decimal(total), beijing_funds=Decimal(beijing),
                         local_funds=Decimal(total) - Decimal(beijing), **extra)


@pytest.fixture
def portfolio(plan, other_plan):
    """Three projects of `plan` that differ in every filtered way, and look-alikes in another plan."""
    categories = {c.code: c for c in Category.objects.filter(plan=plan)}
    bureau, _created = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    health, _created = unit_for_spelling(plan=plan, spelling="科右中旗卫健委", user=SYSTEM)
    cattle = project_create(plan=plan, name="肉牛改良项目", category=categories["industry"], unit=bureau,
                            location_text="巴彦呼舒镇查干嘎查", nature=Project.Nature.CONTINUED,
                            status=Project.Status.IN_PROGRESS, user=SYSTEM)
    _budget(cattle, 2021, "100", "60", scale_and_content="改良母牛500头")
    _budget(cattle, 2022, "20", "10", scale_and_content="改良母牛800头")
    clinic = project_create(plan=plan, name="嘎查卫生室", category=categories["social"], unit=health,
                            location_text="杜尔基镇", description="新建标准化卫生室", user=SYSTEM)
    _budget(clinic, 2022, "80", "80")
    road = project_create(plan=plan, name="通村公路", category=categories["infrastructure"],
                          location_text="科右中旗", nature=Project.Nature.EXPANSION, status=Project.Status.COMPLETED,
                          user=SYSTEM)
    _budget(road, 2023, "1000", "500", scale_and_content="硬化道路12公里")
    foreign_unit, _created = unit_for_spelling(plan=other_plan, spelling="科右前旗农牧局", user=SYSTEM)
    foreign = project_create(plan=other_plan, name="肉牛改良项目", unit=foreign_unit, location_text="巴彦呼舒镇",
                             category=Category.objects.filter(plan=other_plan).first(), user=SYSTEM)
    _budget(foreign, 2022, "999", "999", scale_and_content="改良母牛800头")
    foreign_township = Place.objects.create(plan=other_plan, kind=Place.Kind.TOWNSHIP, name="察尔森镇",
                                            parent=banner_of(other_plan))
    return {"cattle": cattle, "clinic": clinic, "road": road, "bureau": bureau, "health": health,
            "categories": categories, "foreign": foreign, "foreign_unit": foreign_unit,
            "foreign_township": foreign_township}


def _names(plan, **data):
    filterset = ProjectFilterSet(data, plan=plan)
    assert filterset.is_valid(), filterset.errors
    return sorted(project.name for project in filterset.qs)


ALL = sorted(["肉牛改良项目", "嘎查卫生室", "通村公路"])


# --- each filter -------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    ({}, ALL),
    ({"year": "2021"}, ["肉牛改良项目"]),
    ({"year": "2022"}, ["嘎查卫生室", "肉牛改良项目"]),
    ({"year": "2025"}, []),
    ({"nature": "续建"}, ["肉牛改良项目"]),
    ({"nature": "扩建"}, ["通村公路"]),
    ({"status": "planned"}, ["嘎查卫生室"]),
    ({"status": "completed"}, ["通村公路"]),
    ({"q": "肉牛"}, ["肉牛改良项目"]),  # the name
    ({"q": "查干"}, ["肉牛改良项目"]),  # the location text
    ({"q": "标准化"}, ["嘎查卫生室"]),  # the description
    ({"q": "卫健委"}, ["嘎查卫生室"]),  # the unit's name
    ({"q": "硬化道路"}, ["通村公路"]),  # a budget's scale and content
    ({"q": "农科局 改良母牛"}, ["肉牛改良项目"]),  # every word, each anywhere
    ({"q": "农科局, 卫生室"}, []),
    ({"q": "  "}, ALL),
    ({"year": "2022", "q": "改良母牛", "status": "in_progress"}, ["肉牛改良项目"]),
])
def test_each_filter(plan, portfolio, data, expected):
    assert _names(plan, **data) == expected


@pytest.mark.parametrize("param, value, expected", [
    ("category", lambda p: p["categories"]["industry"].pk, ["肉牛改良项目"]),
    ("category", lambda p: str(p["categories"]["industry"].pk), ["肉牛改良项目"]),
    ("category", lambda p: "产业合作类", ["肉牛改良项目"]),
    ("category", lambda p: "产业合作", ["肉牛改良项目"]),
    ("category", lambda p: "industry", ["肉牛改良项目"]),
    ("category", lambda p: "Industrial cooperation", ["肉牛改良项目"]),
    ("category", lambda p: " 社会事业类 ", ["嘎查卫生室"]),
    ("unit", lambda p: p["bureau"].pk, ["肉牛改良项目"]),
    ("unit", lambda p: "科右中旗农科局", ["肉牛改良项目"]),
    ("unit", lambda p: "旗农科局", ["肉牛改良项目"]),  # another spelling of the same unit
    ("unit", lambda p: "科右中旗卫健委", ["嘎查卫生室"]),
    ("township", lambda p: p["cattle"].township_id, ["肉牛改良项目"]),
    ("township", lambda p: "巴彦呼舒镇", ["肉牛改良项目"]),
    ("township", lambda p: "杜尔基镇", ["嘎查卫生室"]),
])
def test_a_record_by_its_id_or_its_name(plan, portfolio, param, value, expected):
    assert _names(plan, **{param: value(portfolio)}) == expected


def test_the_choices_are_the_plans_own(plan, portfolio):
    form = ProjectFilterSet(plan=plan).form
    assert [value for value, _label in form.fields["year"].choices] == ["", 2021, 2022, 2023, 2024, 2025]
    units = {str(value) for value, _label in form.fields["unit"].choices} - {""}
    assert units == {str(portfolio["bureau"].pk), str(portfolio["health"].pk)}
    townships = {label for _value, label in form.fields["township"].choices} - {"all", "全部"}
    assert "察尔森镇" not in townships and {"巴彦呼舒镇", "杜尔基镇"} <= townships


@pytest.mark.parametrize("param, value", [
    ("category", lambda p: Category.objects.filter(plan=p["foreign"].plan).first().pk),
    ("unit", lambda p: p["foreign_unit"].pk),
    ("unit", lambda p: "科右前旗农牧局"),
    ("township", lambda p: p["foreign_township"].pk),
    ("township", lambda p: "察尔森镇"),
    ("year", lambda p: "2026"),  # not a year of this plan
])
def test_a_value_of_another_plan_is_an_error_and_not_applied(plan, portfolio, param, value):
    filterset = ProjectFilterSet({param: value(portfolio), "status": "planned"}, plan=plan)
    assert not filterset.is_valid()
    assert set(filterset.errors) == {param}
    assert sorted(p.name for p in filterset.qs) == ["嘎查卫生室"]  # the valid filter still applies


HOSTILE = [
    ("category", "1\x00"),
    ("category", "\x00"),
    ("category", "²"),  # a digit to str.isdigit(), not to int()
    ("category", "9" * 40),
    ("category", "-1"),
    ("unit", "科右中旗农科局\x00"),
    ("unit", "旗" * 5000),
    ("unit", "9" * 19),
    ("township", "巴彦呼舒镇\x00"),
    ("township", "0"),
    ("year", "9" * 40),
    ("year", "二〇二二"),
    ("year", "2022.0"),
    ("year", "\x00"),
    ("nature", "新"),
    ("nature", "\x00"),
    ("status", "PLANNED"),
    ("q", "肉牛\x00"),
    ("q", "肉" * 201),
    ("q", " ".join(f"词{n}" for n in range(21))),
    ("amount", "local_funds"),
    ("amount_min", "abc"),
    ("amount_min", "9" * 40),
    ("amount_min", "1e400"),
    ("amount_min", "NaN"),
    ("amount_min", "Infinity"),
    ("amount_min", "-1"),
    ("amount_min", "1\x00"),
    ("amount_max", "1.00001"),
    ("amount_max", "922337203685478"),  # more than a BIGINT of yuan
]


@pytest.mark.parametrize("param, value", HOSTILE)
def test_a_hostile_value_is_a_form_error_never_an_exception(plan, portfolio, param, value):
    filterset = ProjectFilterSet({param: value}, plan=plan)
    assert not filterset.is_valid()
    assert list(filterset.errors) == [param]
    assert sorted(p.name for p in filterset.qs) == ALL  # not applied
    listing = project_list(filterset)
    assert listing.projects.count() == 3 and listing.budgets.totals()


@pytest.mark.parametrize("data", [
    {"category": ["1", "2"], "year": ["2021"], "q": ["a"]},
    {"category": {"pk": 1}, "year": 2021.5, "unit": object(), "amount_min": [1]},
    {"township": b"\xff\xfe", "nature": 3, "status": None, "amount_max": {"x": 1}},
])
def test_values_of_the_wrong_type_are_errors(plan, portfolio, data):
    filterset = ProjectFilterSet(data, plan=plan)
    filterset.is_valid()
    assert set(filterset.errors) <= set(data)
    list(filterset.qs)


def test_an_integer_id_in_plain_data_is_accepted(plan, portfolio):
    assert _names(plan, category=portfolio["categories"]["social"].pk, year=2022) == ["嘎查卫生室"]


def test_without_a_plan_no_plan_dependent_value_is_valid(plan, portfolio):
    filterset = ProjectFilterSet({"category": portfolio["categories"]["social"].pk, "year": "2022",
                                  "unit": "旗农科局", "township": "杜尔基镇", "nature": "扩建"})
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"category", "year", "unit", "township"}
    assert [p.name for p in filterset.qs] == ["通村公路"]  # nature needs no plan


# --- the amount range ----------------------------------------------------------

def test_the_amount_range_is_on_the_chosen_years_sums(plan, portfolio):
    # cattle: 2021 100/60 + 2022 20/10 = 120/70; clinic: 2022 80/80; road: 2023 1000/500
    assert _names(plan, amount_min="70") == sorted(["肉牛改良项目", "嘎查卫生室", "通村公路"])
    assert _names(plan, amount_min="70.0001") == sorted(["嘎查卫生室", "通村公路"])
    assert _names(plan, amount_min="70", amount_max="80") == sorted(["肉牛改良项目", "嘎查卫生室"])
    assert _names(plan, amount="total_investment", amount_min="1,000") == ["通村公路"]
    assert _names(plan, amount="total_investment", amount_min="100", amount_max="120") == ["肉牛改良项目"]
    assert _names(plan, amount="total_investment", amount_max="1 000") == ALL
    # With a year: that year's sums, and only the projects with a budget in it.
    assert _names(plan, year="2022", amount_min="50") == ["嘎查卫生室"]
    assert _names(plan, year="2022", amount_max="10") == ["肉牛改良项目"]
    assert _names(plan, year="2021", amount="total_investment", amount_min="100") == ["肉牛改良项目"]
    assert _names(plan, year="2023", amount_max="499.99") == []
    ProjectFactory(plan=plan, name="无预算项目")
    assert _names(plan, amount_max="0") == ["无预算项目"]  # no budget: sums of 0


def test_an_upside_down_amount_range_is_an_error_on_the_upper_bound(plan, portfolio):
    filterset = ProjectFilterSet({"amount_min": "100", "amount_max": "99.99"}, plan=plan)
    assert not filterset.is_valid() and list(filterset.errors) == ["amount_max"]
    assert [p.name for p in filterset.qs] == ["通村公路"]  # the lower bound applies


def test_the_sums_of_the_list_are_never_multiplied(plan, portfolio):
    filterset = ProjectListFilterSet({"q": "改良母牛", "amount_min": "1", "sort": "-beijing_funds"}, plan=plan)
    listing = project_list(filterset)
    (cattle,) = listing.projects
    assert (cattle.total_investment_sum, cattle.beijing_funds_sum, cattle.budget_count) == (
        Decimal("120"), Decimal("70"), 2)
    assert listing.budgets.totals()["beijing_funds"] == Decimal("70")
    listing = project_list(ProjectListFilterSet({"year": "2022", "q": "改良母牛"}, plan=plan))
    assert [(p.name, p.beijing_funds_sum) for p in listing.projects] == [("肉牛改良项目", Decimal("10"))]
    assert listing.year == 2022 and listing.sort == "category"


def test_the_list_sort_is_validated(plan, portfolio):
    filterset = ProjectListFilterSet({"sort": "pk; drop table"}, plan=plan)
    assert list(filterset.errors) == ["sort"]
    assert project_list(filterset).sort == "category"
    assert [p.name for p in project_list(ProjectListFilterSet({"sort": "-name"}, plan=plan)).projects] == sorted(
        ALL, reverse=True)


# --- a constant number of queries ------------------------------------------------

@pytest.mark.parametrize("data", [
    {},
    {"year": "2021", "category": "产业合作类", "unit": "旗单位1", "township": "巴彦呼舒镇", "nature": "新建",
     "status": "planned", "q": "项目 科右中旗", "amount": "total_investment", "amount_min": "1,000",
     "amount_max": "99999"},
    {"category": "无此类别", "unit": "9" * 40, "township": "\x00", "year": "abc", "amount_min": "x"},
])
def test_the_number_of_queries_does_not_grow_with_the_data(plan, data):
    units = [unit_for_spelling(plan=plan, spelling=f"科右中旗单位{n}", user=SYSTEM)[0] for n in range(3)]
    category = Category.objects.get(plan=plan, code="industry")

    def add(count):
        for index in range(count):
            project = project_create(plan=plan, name=f"测试项目{index}", category=category, unit=units[index % 3],
                                     location_text="巴彦呼舒镇", user=SYSTEM)
            _budget(project, 2021, "1500", "800", scale_and_content="科右中旗")
            _budget(project, 2022, "20", "12")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            filterset = ProjectListFilterSet(data, plan=plan)
            listing = project_list(filterset)
            rows = list(listing.projects)
            listing.budgets.totals()
            str(filterset.form)  # the page renders the form and its choices
        return len(captured), len(rows)

    add(5)
    small, five = queries()
    add(25)
    large, thirty = queries()
    assert small == large
    if not data:
        assert (five, thirty) == (5, 30)
    if "q" in data:
        assert (five, thirty) == (2, 10)  # those of 科右中旗单位1 (旗单位1 is another spelling of it)


# --- the admin ---------------------------------------------------------------------

def _admin_filters(request):
    params = dict(request.GET.lists())
    return {cls.parameter_name: cls(request, params, Project, None) for cls in admin_list_filters(ADMIN_NAMES)}


def _get(user, **params):
    request = RequestFactory().get("/admin/projects/project/", params)
    request.user = user
    return request


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_admin_list_filters_are_simple_list_filters_named_after_the_filterset():
    from plans.admin_scoping import PlanFilter

    classes = admin_list_filters(ADMIN_NAMES)
    assert all(issubclass(cls, SimpleListFilter) for cls in classes)
    assert [cls.parameter_name for cls in classes] == ADMIN_NAMES
    assert all(str(cls.title) for cls in classes)
    assert ADMIN_PLAN_PARAMETER == PlanFilter.parameter_name
    with pytest.raises(KeyError):
        admin_list_filters(["no_such_filter"])


def test_admin_lookups_are_the_chosen_plans_choices(plan, other_plan, portfolio, superuser):
    filters = _admin_filters(_get(superuser, plan=plan.pk))
    assert [(value, str(label)) for value, label in filters["year"].lookup_choices] == [
        (str(y), str(y)) for y in range(2021, 2026)]
    assert filters["category"].lookup_choices == [
        (str(c.pk), c.name_zh) for c in Category.objects.filter(plan=plan).order_by("order", "id")]
    assert filters["unit"].lookup_choices == [(str(portfolio["bureau"].pk), "科右中旗农科局"),
                                              (str(portfolio["health"].pk), "科右中旗卫健委")]
    assert "察尔森镇" not in dict(filters["township"].lookup_choices).values()
    assert [value for value, _label in filters["nature"].lookup_choices] == list(Project.Nature.values)
    assert [value for value, _label in filters["status"].lookup_choices] == list(Project.Status.values)
    assert all(f.has_output() for f in filters.values())


def test_admin_shows_no_plan_dependent_choices_without_a_plan(plan, other_plan, portfolio, superuser):
    for request in (_get(superuser), _get(superuser, plan="abc"), _get(superuser, plan="9" * 30),
                    _get(superuser, plan="\x00"), _get(superuser, plan=10**6)):
        filters = _admin_filters(request)
        assert all(filters[name].lookup_choices == [] for name in ("year", "category", "unit", "township"))
        assert len(filters["nature"].lookup_choices) == 3
    # A plan the user cannot see is no plan.
    outsider = member(other_plan, "admin")
    assert _admin_filters(_get(outsider, plan=plan.pk))["category"].lookup_choices == []


def test_admin_uses_the_users_only_plan(plan, other_plan, portfolio, staff):
    filters = _admin_filters(_get(staff))
    assert {label for _value, label in filters["unit"].lookup_choices} == {"科右中旗农科局", "科右中旗卫健委"}
    assert len(filters["year"].lookup_choices) == 5


@pytest.mark.parametrize("params, expected", [
    (lambda p: {"category": p["categories"]["industry"].pk}, ["肉牛改良项目"]),
    (lambda p: {"unit": p["health"].pk}, ["嘎查卫生室"]),
    (lambda p: {"unit": "旗农科局"}, ["肉牛改良项目"]),  # the FilterSet's rule: a spelling works too
    (lambda p: {"township": p["cattle"].township_id}, ["肉牛改良项目"]),
    (lambda p: {"year": 2022}, ["嘎查卫生室", "肉牛改良项目"]),
    (lambda p: {"nature": "扩建"}, ["通村公路"]),
    (lambda p: {"status": "planned", "year": 2022}, ["嘎查卫生室"]),
    (lambda p: {"category": p["categories"]["social"].pk, "unit": p["bureau"].pk}, []),
])
def test_admin_queryset_applies_the_filterset_filter(plan, other_plan, portfolio, superuser, params, expected):
    request = _get(superuser, plan=plan.pk, **params(portfolio))
    queryset = Project.objects.filter(plan=plan)
    for list_filter in _admin_filters(request).values():
        queryset = list_filter.queryset(request, queryset)
    assert sorted(p.name for p in queryset) == sorted(expected)


@pytest.mark.parametrize("params", [
    lambda p: {"plan": p["cattle"].plan_id, "category": Category.objects.filter(plan=p["foreign"].plan).first().pk},
    lambda p: {"plan": p["cattle"].plan_id, "unit": p["foreign_unit"].pk},
    lambda p: {"plan": p["cattle"].plan_id, "year": "abc"},
    lambda p: {"plan": p["cattle"].plan_id, "year": "9" * 40},
    lambda p: {"plan": p["cattle"].plan_id, "township": "\x00"},
    lambda p: {"plan": p["cattle"].plan_id, "nature": "新"},
    lambda p: {"category": p["categories"]["industry"].pk},  # no plan chosen
    lambda p: {"plan": "abc", "year": "2022"},
])
def test_admin_ignores_an_invalid_value_without_raising(plan, other_plan, portfolio, superuser, params):
    request = _get(superuser, **params(portfolio))
    queryset = Project.objects.all()
    for list_filter in _admin_filters(request).values():
        if list_filter.value() is not None:
            assert list(list_filter.queryset(request, queryset)) == []
    assert _admin_filters(_get(superuser))["nature"].queryset(_get(superuser), queryset).count() == 4


def test_admin_nature_and_status_work_across_plans(plan, other_plan, portfolio, superuser):
    request = _get(superuser, status="planned")
    status = _admin_filters(request)["status"]
    assert sorted(p.name for p in status.queryset(request, Project.objects.all())) == ["嘎查卫生室", "肉牛改良项目"]


# --- the API -------------------------------------------------------------------

@pytest.fixture
def api(staff):
    client = APIClient()
    client.force_login(staff)
    return client


def _api_names(api, plan, **params):
    response = api.get(f"/api/plans/{plan.code}/projects/", params)
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_the_api_applies_the_same_filters(plan, portfolio, api):
    assert _api_names(api, plan, year=2022, amount_min="50") == ["嘎查卫生室"]
    assert _api_names(api, plan, category="社会事业", township="杜尔基镇") == ["嘎查卫生室"]
    assert _api_names(api, plan, q="农科局 改良母牛", unit="旗农科局") == ["肉牛改良项目"]
    assert _api_names(api, plan, amount="total_investment", amount_min="1,000") == ["通村公路"]


@pytest.mark.parametrize("param, value", HOSTILE + [("category", "无此类别"), ("unit", "无此单位")])
def test_the_api_answers_a_hostile_value_with_a_400_naming_it(plan, portfolio, api, param, value):
    response = api.get(f"/api/plans/{plan.code}/projects/", {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param] and all(response.json()[param])


def test_the_api_refuses_an_upside_down_range(plan, portfolio, api):
    response = api.get(f"/api/plans/{plan.code}/projects/", {"amount_min": "10", "amount_max": "1"})
    assert response.status_code == 400 and list(response.json()) == ["amount_max"]


def test_the_schema_documents_the_project_filters(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"]: p for p in schema["paths"]["/api/plans/{code}/projects/"]["get"]["parameters"]}
    assert {"year", "category", "unit", "township", "nature", "status", "q", "amount", "amount_min",
            "amount_max", "ordering"} <= set(parameters)
    assert parameters["year"]["schema"]["type"] == "integer"
    assert parameters["category"]["schema"]["type"] == "string"  # an id or a name
    assert set(parameters["nature"]["schema"]["enum"]) == set(Project.Nature.values)
    assert all(parameters[name].get("description") for name in ("year", "category", "unit", "township", "q"))


def test_the_browsable_api_renders_the_filter_form(plan, portfolio, api):
    response = api.get(f"/api/plans/{plan.code}/projects/", {"unit": "旗农科局"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert 'name="unit"' in response.content.decode()


# --- the page --------------------------------------------------------------------

@pytest.mark.parametrize("param, value", HOSTILE)
def test_the_page_shows_a_hostile_value_as_a_form_error(plan, portfolio, staff, client, param, value):
    client.force_login(staff)
    response = client.get(f"/plans/{plan.code}/projects/", {param: value})
    assert response.status_code == 400  # shown on the form; nothing listed as if it had filtered
    assert list(response.context["form"].errors) == [param]
    assert "page" not in response.context
