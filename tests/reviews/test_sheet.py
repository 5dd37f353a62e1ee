"""The yearly sign-off sheet (年度审核确认单): one printable page per year, for every member of the plan only."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.services import budget_update
from plans.models import Category
from reviews.queries import year_figures
from reviews.services import year_approve, year_return, year_submit
from rollups.models import Variance
from rollups.services import recompute_plan
from tests.factories import BudgetFactory, ProjectFactory
from tests.reviews.helpers import stated_figure


def _sheet(plan, year=2021):
    return reverse("plan-review-sheet", args=[plan.code, year])


def _when(moment) -> str:
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def test_the_sheet_has_the_totals_disagreements_review_record_and_signature_lines(client, plan, budget, staff,
                                                                                   liaison):
    categories = list(Category.objects.filter(plan=plan).order_by("order"))
    BudgetFactory(project=ProjectFactory(plan=plan, category=categories[1]), total_investment=Decimal("100.5"),
                  beijing_funds=Decimal("100.5"), local_funds=Decimal("0"))
    stated_figure(plan, "annex", 2021, None, "beijing_funds", "890")
    recompute_plan(plan.pk)
    year = budget.plan_year
    submitted = year_submit(plan_year=year, user=staff)
    returned = year_return(plan_year=year, user=liaison, reason="京蒙资金与附表不符")
    year_submit(plan_year=year, user=staff)
    approved = year_approve(plan_year=year, user=liaison, note="已核对")

    client.force_login(staff)
    response = client.get(_sheet(plan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "年度审核确认单" in page and plan.name in page and '<dd class="sheet-year">2021</dd>' in page
    assert "<dd>已审核通过（锁定）</dd>" in page
    # totals by category and in all: planned amounts
    assert categories[0].name_zh in page and categories[1].name_zh in page
    assert categories[2].name_zh not in page  # no rows this year
    total_row = page.split("<tfoot>")[1].split("</tfoot>")[0]
    assert ">2<" in total_row and "1,600.50" in total_row and "900.50" in total_row and "700.00" in total_row
    assert "本年度尚未填报拨付数。" in page and "已拨付京蒙协作资金" not in page
    # the open disagreement of the year, in words
    assert Variance.objects.filter(plan=plan, year=2021, status="differs").count() == 1
    assert "附表写京蒙协作资金890.00 万元，项目行合计900.50 万元" in page
    # who submitted, returned and approved it, and when
    events = page.split('class="sheet-events"')[1].split("</section>")[0]
    assert events.count("<tr class=\"event-") == 4
    assert "京蒙资金与附表不符" in events and "已核对" in events and liaison.username in events and "县办" in events
    for event in (submitted, returned, approved):
        assert _when(event.at) in events
    # blank signature lines for both sides, and the figures' check code
    assert "县办（科右中旗）" in page and "联络员（海淀区）" in page and page.count('<span class="blank') == 4
    assert year_figures(year).digest in page
    # printable: A4, print styles, no site navigation
    assert "@page { size: A4" in page and "@media print" in page
    assert 'class="plan-nav"' not in page and 'class="topbar"' not in page


def test_the_sheet_shows_disbursements_when_reported(client, plan, budget, staff):
    budget_update(budget=budget, user=staff, actual_beijing_funds=Decimal("320.25"))
    client.force_login(staff)
    page = client.get(_sheet(plan)).content.decode()
    assert "已拨付京蒙协作资金" in page and "320.25" in page and "本年度尚未填报拨付数。" not in page


def test_the_sheet_of_a_year_not_reviewed_yet(client, plan, liaison):
    client.force_login(liaison)
    page = client.get(_sheet(plan, 2024)).content.decode()
    assert "本年度没有项目。" in page and "尚未审核" in page and "无。" in page


def test_the_year_page_links_to_its_sheet_in_english_too(client, plan, staff):
    client.force_login(staff)
    page = client.get(reverse("plan-review", args=[plan.code, 2021]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{_sheet(plan)}"' in page
    client.cookies.load({"django_language": "en"})
    page = client.get(_sheet(plan)).content.decode()
    assert "Yearly review sign-off sheet" in page and "Liaison officer (海淀区)" in page


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
def test_every_member_may_print_it(client, member, plan, role):
    client.force_login(member(role))
    assert client.get(_sheet(plan)).status_code == 200


def test_another_plans_user_never_sees_it(client, plan, other_plan, outsider, budget, staff):
    client.force_login(outsider)
    assert client.get(_sheet(plan)).status_code == 404
    assert client.get(_sheet(other_plan)).status_code == 200  # their own plan's sheet
    client.logout()
    response = client.get(_sheet(plan))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_sheet_costs_the_same_queries_for_3_or_30_budgets(client, plan, staff, liaison,
                                                             django_assert_max_num_queries):
    client.force_login(liaison)

    def queries_with(n):
        for _ in range(n):
            BudgetFactory(project=ProjectFactory(plan=plan))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_sheet(plan)).status_code == 200
        return len(queries)

    assert queries_with(3) == queries_with(27)
    with django_assert_max_num_queries(15):
        client.get(_sheet(plan))
