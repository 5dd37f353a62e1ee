"""The totals and disagreement pages: who gets what, what they show, and their xlsx exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plans.services import membership_set
from tests.factories import UserFactory
from plans.access import SYSTEM

PAGES = ["plan-rollups", "plan-variances"]


@pytest.fixture
def member(bundled):
    def make(role):
        user = UserFactory()
        membership_set(plan=bundled, member=user, role=role, user=SYSTEM)
        return user
    return make


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, bundled, name):
    response = client.get(reverse(name, args=[bundled.code]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_a_member_of_another_plan_gets_not_found(client, bundled, other_plan, name):
    outsider = UserFactory()
    membership_set(plan=other_plan, member=outsider, role="admin", user=SYSTEM)
    client.force_login(outsider)
    assert client.get(reverse(name, args=[bundled.code])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
@pytest.mark.parametrize("name", PAGES)
def test_every_role_of_the_plan_reads(client, member, bundled, role, name, django_assert_max_num_queries):
    client.force_login(member(role))
    with django_assert_max_num_queries(15):
        response = client.get(reverse(name, args=[bundled.code]))
    assert response.status_code == 200


def test_matrix_shows_computed_and_stated_with_differences(client, member, bundled):
    client.force_login(member("liaison"))
    page = client.get(reverse("plan-rollups", args=[bundled.code]), {"metric": "beijing_funds"}).content.decode()
    assert "6,391.50" in page  # 2021 rows
    assert "6,310.00" in page and "+81.50" in page  # the 合计 row and the difference
    projects = client.get(reverse("plan-rollups", args=[bundled.code]), {"metric": "projects"}).content.decode()
    assert "148" in projects


def test_variance_list_reads_as_sentences(client, member, bundled):
    client.force_login(member("liaison"))
    page = client.get(reverse("plan-variances", args=[bundled.code])).content.decode()
    assert "2022年 · 全部类别：附表写项目数35 个，项目行合计34 个（差 -1 个）。" in page
    assert "青年之家" in page
    everything = client.get(reverse("plan-variances", args=[bundled.code]), {"show": "all"}).content.decode()
    assert everything.count("<li class=\"variance") > page.count("<li class=\"variance")


def test_exports_are_real_workbooks(client, member, bundled):
    client.force_login(member("staff"))
    for name, sheets in (("plan-rollups", 4), ("plan-variances", 1)):
        response = client.get(reverse(name, args=[bundled.code]), {"format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        assert len(workbook.sheetnames) == sheets
    rows = list(load_workbook(io.BytesIO(client.get(reverse("plan-variances", args=[bundled.code]),
                                                    {"format": "xlsx"}).content)).active.values)
    assert rows[0][0] == "年度" and len(rows) > 50


def test_the_matrix_names_the_stated_figures_source_in_the_readers_language(client, bundled, member):
    client.force_login(member("liaison"))
    url = reverse("plan-rollups", args=[bundled.code])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">annex " in english and ">text " in english and ">附表 " not in english and ">正文 " not in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">附表 " in chinese and ">正文 " in chinese
