"""Projects through the API: filters, writes through the services, versions, locks, field errors."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import AnnualBudget
from plans.models import Category, PlanYear
from projects.models import Project
from projects.services import project_create, unit_for_spelling
from tests.api.conftest import approve
from tests.factories import BudgetFactory, ProjectFactory
from rest_framework.test import APIClient
from tests.conftest import member
from plans.access import SYSTEM


def _url(plan, pk=None):
    return f"/api/plans/{plan.code}/projects/" + (f"{pk}/" if pk else "")


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def portfolio(plan):
    """Three projects that differ in every filterable way."""
    infra, industry = Category.objects.filter(plan=plan).order_by("order")[:2]
    bureau, _created = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    cattle = project_create(plan=plan, name="肉牛改良项目", category=infra, unit=bureau,
                            location_text="巴彦呼舒镇查干嘎查", user=SYSTEM)
    school = project_create(plan=plan, name="学校改造", category=industry, nature=Project.Nature.CONTINUED,
                            location_text="杜尔基镇", status=Project.Status.IN_PROGRESS, description="教学楼", user=SYSTEM)
    road = project_create(plan=plan, name="通村道路", category=infra, location_text="科右中旗", user=SYSTEM)
    BudgetFactory(project=cattle)
    BudgetFactory(project=school, plan_year=PlanYear.objects.get(plan=plan, year=2022))
    return {"cattle": cattle, "school": school, "road": road}


def test_every_filter_narrows_the_list(plan, portfolio, staff, client_for):
    client, p = client_for(staff), portfolio
    assert _ids(client.get(_url(plan))) == [p["cattle"].pk, p["school"].pk, p["road"].pk]
    assert _ids(client.get(_url(plan), {"year": 2022})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"category": "基础设施类"})) == [p["cattle"].pk, p["road"].pk]
    assert _ids(client.get(_url(plan), {"category": "基础设施"})) == [p["cattle"].pk, p["road"].pk]
    assert _ids(client.get(_url(plan), {"category": p["school"].category_id})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"unit": "旗农科局"})) == [p["cattle"].pk]  # another spelling
    assert _ids(client.get(_url(plan), {"unit": p["cattle"].unit_id})) == [p["cattle"].pk]
    assert _ids(client.get(_url(plan), {"township": "杜尔基镇"})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"township": p["cattle"].township_id})) == [p["cattle"].pk]
    assert _ids(client.get(_url(plan), {"nature": "续建"})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"status": "in_progress"})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"q": "教学楼"})) == [p["school"].pk]
    assert _ids(client.get(_url(plan), {"q": "农科局 肉牛"})) == [p["cattle"].pk]
    assert _ids(client.get(_url(plan), {"ordering": "-name"})) == sorted(
        [p["cattle"].pk, p["school"].pk, p["road"].pk], key=lambda pk: Project.objects.get(pk=pk).name, reverse=True)


def test_a_bad_filter_is_a_400_naming_it(plan, portfolio, other_plan, staff, client_for):
    foreign = Category.objects.filter(plan=other_plan).first()
    response = client_for(staff).get(_url(plan), {"year": "二〇二二", "category": foreign.pk, "nature": "新",
                                                 "unit": "无此单位", "township": "无此镇"})
    assert response.status_code == 400
    assert set(response.json()) == {"year", "category", "nature", "unit", "township"}


def test_the_list_shows_names_years_and_version(plan, portfolio, staff, client_for):
    row = client_for(staff).get(_url(plan, portfolio["cattle"].pk)).json()
    assert (row["category_name"], row["unit_name"], row["township_name"], row["village_name"]) == (
        "基础设施类", "科右中旗农科局", "巴彦呼舒镇", "查干嘎查")
    assert (row["years"], row["version"]) == ([2021], 1)


def test_create_by_category_name_and_unit_spelling(plan, portfolio, staff, client_for):
    response = client_for(staff).post(_url(plan), {
        "name": " 肉牛养殖基地 ", "category": "产业合作类", "unit_spelling": "旗农科局",
        "location_text": "杜尔基镇", "nature": "扩建",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert (project.name, project.category.name_zh, project.unit, project.township.name) == (
        "肉牛养殖基地", "产业合作类", portfolio["cattle"].unit, "杜尔基镇")
    assert body["version"] == 1 and project.history.get().history_user == staff


def test_create_refuses_bad_fields_by_name(plan, other_plan, staff, client_for):
    foreign_category = Category.objects.filter(plan=other_plan).first()
    foreign_unit, _created = unit_for_spelling(plan=other_plan, spelling="科右前旗农牧局", user=SYSTEM)
    response = client_for(staff).post(_url(plan), {
        "name": "", "category": foreign_category.pk, "nature": "翻建", "unit": foreign_unit.pk,
    }, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "category", "nature", "unit"}
    response = client_for(staff).post(_url(plan), {"name": "x", "category": "无此类别"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["category"]
    assert not Project.objects.filter(plan=plan).exists()


def test_a_change_sends_the_version_it_read(plan, portfolio, staff, client_for):
    project, client = portfolio["road"], client_for(staff)
    missing = client.patch(_url(plan, project.pk), {"status": "completed"}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["version"]
    response = client.patch(_url(plan, project.pk), {"status": "completed", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.put(_url(plan, project.pk), {"name": "通村公路", "category": project.category_id,
                                                    "version": 2}, format="json")
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert (project.name, project.status, project.version) == ("通村公路", "completed", 3)
    assert project.history.latest().history_user == staff


def test_a_stale_change_is_refused_with_the_current_record(plan, portfolio, staff, plan_admin, client_for):
    project = portfolio["road"]
    first, second = client_for(staff), client_for(plan_admin)
    read = second.get(_url(plan, project.pk)).json()["version"]
    assert first.patch(_url(plan, project.pk), {"name": "先保存的名字", "version": read}, format="json").status_code == 200
    response = second.patch(_url(plan, project.pk), {"name": "后保存的名字", "version": read}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale" and body["detail"]
    assert (body["current"]["name"], body["current"]["version"]) == ("先保存的名字", read + 1)
    project.refresh_from_db()
    assert (project.name, project.version) == ("先保存的名字", read + 1)


def test_a_project_of_an_approved_year_is_locked(plan, portfolio, staff, client_for):
    project, client = portfolio["cattle"], client_for(staff)
    approve(plan, 2021)
    response = client.patch(_url(plan, project.pk), {"name": "改名", "version": 1}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "year_locked"
    assert "2021" in response.json()["detail"]
    response = client.delete(_url(plan, project.pk))
    assert response.status_code == 409 and response.json()["code"] == "year_locked"
    project.refresh_from_db()
    assert (project.name, project.version, project.budgets.count()) == ("肉牛改良项目", 1, 1)


def test_deleting_a_project_deletes_its_budgets_in_the_history(plan, portfolio, staff, client_for):
    project = portfolio["cattle"]
    assert client_for(staff).delete(_url(plan, project.pk)).status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not AnnualBudget.objects.filter(project_id=project.pk).exists()
    assert Project.history.filter(id=project.pk, history_type="-").get().history_user == staff
    assert AnnualBudget.history.filter(project_id=project.pk, history_type="-").get().history_user == staff


def test_a_project_of_another_plan_is_not_found_under_this_plan(plan, other_plan, staff, client_for):
    foreign = ProjectFactory(plan=other_plan)
    client = client_for(staff)
    assert client.get(_url(plan, foreign.pk)).status_code == 404
    assert client.patch(_url(plan, foreign.pk), {"name": "x", "version": 1}, format="json").status_code == 404
    assert client.delete(_url(plan, foreign.pk)).status_code == 404
    assert Project.objects.filter(pk=foreign.pk).exists()


def _projects(plan, count):
    units = [unit_for_spelling(plan=plan, spelling=f"旗单位{n}", user=SYSTEM)[0] for n in range(3)]
    for n in range(count):
        project = ProjectFactory(plan=plan, unit=units[n % 3])
        BudgetFactory(project=project, total_investment=Decimal("1.5"))
        BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=plan, year=2022))


@pytest.mark.parametrize("query", [{}, {"year": 2021, "q": "项目", "ordering": "-name"}])
def test_the_list_costs_the_same_queries_for_5_or_30_projects(plan, other_plan, staff, client_for, query):
    client = client_for(staff)

    def queries(count):
        Project.objects.filter(plan=plan).delete()
        _projects(plan, count)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(plan), query)
        assert len(response.json()["results"]) == count
        return len(captured)

    assert queries(5) == queries(30)


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "plan_missing", "record_missing"), [
    ("zh-hans", "没有这个规划。", "未找到。"), ("en", "No such plan.", "Not found.")])
def test_not_found_answers_in_the_readers_language(plan, lang, plan_missing, record_missing):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(member(plan, "staff"))
    assert client.get("/api/plans/no-such-plan/projects/").json() == {"detail": plan_missing}
    assert client.get(f"/api/plans/{plan.code}/projects/999999/").json() == {"detail": record_missing}
