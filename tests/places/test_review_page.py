"""The places-to-review page: open questions with their candidates, one click to decide, kept for later imports."""

import pytest
from django.test import Client
from django.urls import reverse

from plans.access import SYSTEM
from plans.models import PlanYear
from projects.gazetteer import village_list_load
from projects.models import Project, VillageAlias
from projects.services import place_question_decide, place_questions, project_create
from tests.conftest import member
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx
from tests.places.test_village_list import SMALL

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(plan, settings):
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    village_list_load(county="科右中旗", data=SMALL.encode(), file_name="small.csv", user=SYSTEM)
    return plan


def _project(plan, location, name=None):
    return project_create(plan=plan, user=SYSTEM, name=name or f"{location}项目", category=plan.categories.first(),
                          location_text=location)


def browser(user, lang="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def url(plan):
    return reverse("plan-places", kwargs={"code": plan.code})


def test_the_page_lists_each_open_question_with_its_candidates(listed, staff):
    hure = _project(listed, "呼热嘎查")
    _project(listed, "科右中旗")
    _project(listed, "窑艾里嘎查")
    page = browser(staff).get(url(listed)).content.decode()
    assert "待确认地点" in page and "呼热嘎查" in page and "是 好腰苏木镇 伊和呼热嘎查" in page
    assert reverse("plan-project", kwargs={"code": listed.code, "pk": hure.pk}) in page
    assert "窑艾里嘎查" not in page  # settled by the spelling rules
    assert 'name="viewport"' in page


def test_one_click_confirms_and_every_later_import_keeps_it(listed, staff, tmp_path):
    project = _project(listed, "呼热嘎查")
    assert project.township is None
    response = browser(staff).post(url(listed), {"spelling": "呼热嘎查", "village": "152222105203"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.township.name, project.village.name, project.version) == ("好腰苏木镇", "伊和呼热嘎查", 2)
    assert project.history.first().history_user == staff
    alias = VillageAlias.objects.get(spelling="呼热嘎查")
    assert (alias.source, alias.decided_by, alias.village.code) == ("confirmed", staff, "152222105203")
    assert place_questions(listed) == []
    # A later annex with the same spelling: placed at once, asked no more.
    path = write_xlsx(tmp_path / "a.xlsx", {"2022年": annex_sheet(2022, [
        project_row(1, "呼热嘎查饮水工程", 2022, "基础设施类", 10, 10, 0, place="呼热嘎查")])})
    assert not run_import(listed, path).rejected
    assert Project.objects.get(name="呼热嘎查饮水工程").township.name == "好腰苏木镇"


def test_none_of_these_takes_it_off_the_list_without_a_place(listed, staff):
    project = _project(listed, "准太本卫生院")
    assert [item.status for item in place_questions(listed)] == ["unplaced"]
    browser(staff).post(url(listed), {"spelling": "准太本卫生院", "none": "1"})
    project.refresh_from_db()
    assert project.township is None and place_questions(listed) == []
    assert VillageAlias.objects.get(spelling="准太本卫生院").source == "dismissed"


def test_a_reader_sees_the_list_but_cannot_decide(listed, liaison):
    _project(listed, "呼热嘎查")
    client = browser(liaison)
    page = client.get(url(listed)).content.decode()
    assert "呼热嘎查" in page and "是 好腰苏木镇" not in page
    assert client.post(url(listed), {"spelling": "呼热嘎查", "village": "152222105203"}).status_code == 403
    assert not VillageAlias.objects.filter(spelling="呼热嘎查").exists()


def test_another_plans_member_gets_not_found(listed, other_plan):
    assert browser(member(other_plan, "staff")).get(url(listed)).status_code == 404


def test_a_spelling_not_on_the_list_or_a_code_not_listed_is_refused(listed, staff):
    _project(listed, "呼热嘎查")
    client = browser(staff, "en")
    page = client.post(url(listed), {"spelling": "窑艾里嘎查", "village": "152222100201"}, follow=True)
    assert "is not on the review list" in page.content.decode()
    page = client.post(url(listed), {"spelling": "呼热嘎查", "village": "152222999999"}, follow=True)
    assert "no village with the code 152222999999" in page.content.decode()
    assert not VillageAlias.objects.filter(source="confirmed").exists()


def test_a_project_of_an_approved_year_keeps_its_place(listed, staff):
    from tests.factories import BudgetFactory

    project = _project(listed, "呼热嘎查")
    BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=listed, year=2021))
    PlanYear.objects.filter(plan=listed, year=2021).update(review_status=PlanYear.Review.APPROVED)
    result = place_question_decide(plan=listed, spelling="呼热嘎查", code="152222105203", user=staff)
    project.refresh_from_db()
    assert project.township is None and result.kept_locked == [project.name]


def test_the_page_costs_the_same_queries_whatever_the_number_of_places(listed, staff, django_assert_max_num_queries):
    client = browser(staff)
    _project(listed, "呼热嘎查")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url(listed))
    for n in range(30):
        _project(listed, f"某某{n}嘎查")
        _project(listed, "海龙屯嘎查", name=f"海龙屯{n}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(url(listed)).content.decode()
    assert "某某29嘎查" in page
