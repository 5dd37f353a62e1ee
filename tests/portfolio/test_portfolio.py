"""/portfolio/ and the home page: who sees which plans, the figures from the rollups, filters, export, queries."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from figures.services import stated_figure_create
from funding.services import disbursement_create
from indicators.overview import attainment_by_plan
from indicators.services import indicator_create, indicator_value_set
from plans.access import SYSTEM
from plans.models import PlanYear
from portfolio.queries import PortfolioFilter, portfolio_page
from reviews.services import year_step
from rollups.models import Variance
from rollups.services import recompute_plan
from tests.conftest import member
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory, UserFactory

TODAY = date(2026, 12, 1)


def _plan_with_money(**fields):
    plan = PlanFactory(**fields)
    for year in (plan.first_year, plan.first_year + 1):
        BudgetFactory(project=ProjectFactory(plan=plan), plan_year=PlanYear.objects.get(plan=plan, year=year))
    recompute_plan(plan.pk)
    return plan


def _page(client, **params):
    response = client.get(reverse("portfolio"), params)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_a_member_sees_only_their_plans_with_totals_from_the_rollups(client):
    mine = _plan_with_money(name="海淀—科右中旗规划")
    theirs = _plan_with_money(name="朝阳—别的旗规划", county="别的旗", partner="朝阳区")
    user = member(mine, "liaison")
    client.force_login(user)
    page = _page(client).content.decode()
    assert mine.name in page and theirs.name not in page and "朝阳区" not in page
    assert "3,000.00" in page  # two budgets of 800 + 700 planned funds
    row = _page(client).context["data"].rows[0]
    assert row.money.planned_funds == Decimal("3000") and row.money.beijing_funds == Decimal("1600")
    assert [cell.year for cell in row.years] == list(mine.years)
    assert row.years[0].money.beijing_funds == Decimal("800") and row.years[2].money is None
    # The filter offers only the user's own partners and counties: another's name in the URL is ignored.
    response = _page(client, partner="朝阳区")
    assert theirs.name not in response.content.decode() and mine.name in response.content.decode()
    assert response.context["form"].errors


@pytest.mark.django_db
def test_figures_per_plan_year_review_disagreements_indicators_and_disbursements(client):
    plan = _plan_with_money()
    budget = plan.plan_years.get(year=2021).budgets.first()
    disbursement_create(budget=budget, user=SYSTEM, paid_on=date(2021, 9, 1), voucher_no="记-1",
                        beijing_amount=Decimal("200.5"))
    for action in ("submit", "approve"):
        year_step(plan_year=plan.plan_years.get(year=2021), action=action, user=SYSTEM)
    indicator = indicator_create(plan=plan, user=SYSTEM, seq=1, name="脱贫人口", unit="万人", target=Decimal("1"),
                                 target_year=2025, attribute="binding")
    indicator_value_set(indicator=indicator, year=2025, value="1.2", user=SYSTEM)
    indicator_create(plan=plan, user=SYSTEM, seq=2, name="新增就业", unit="人", target=Decimal("100"),
                     target_year=2025, attribute="expected")
    stated_figure_create(plan=plan, user=SYSTEM, metric="projects", value=Decimal("3"), year=2022, source="测试")
    recompute_plan(plan.pk)
    client.force_login(member(plan, "staff"))
    data = _page(client).context["data"]
    row = data.rows[0]
    assert row.money.actual_beijing_funds == Decimal("200.5")
    assert row.years[0].status == PlanYear.Review.APPROVED and row.years_approved == 1
    assert row.disagreements_open == Variance.objects.filter(plan=plan, status="differs").count() >= 1
    assert (row.indicators.attained, row.indicators.reported, row.indicators.total) == (1, 1, 2)
    summary = data.partners[0]
    assert (summary.partner, summary.plans, summary.years, summary.years_approved) == ("海淀区", 1, 5, 1)
    assert summary.money.disbursed_funds == Decimal("200.5")
    # The recompute keeps the count on the plan's state row; the summary sums those rows.
    assert summary.disagreements_open == row.disagreements_open == plan.recompute_state.disagreements_open


@pytest.mark.django_db
def test_attainment_follows_the_indicator_pages_rules():
    plan = PlanFactory()
    at_most = indicator_create(plan=plan, user=SYSTEM, seq=1, name="贫困发生率", unit="%", target=Decimal("0"),
                               target_year=2025, attribute="binding", direction="at_most")
    indicator_value_set(indicator=at_most, year=2024, value="0.5", user=SYSTEM)
    assert attainment_by_plan([plan.pk], TODAY)[plan.pk].attained == 0
    indicator_value_set(indicator=at_most, year=2025, value="0", user=SYSTEM)
    assert attainment_by_plan([plan.pk], TODAY)[plan.pk].attained == 1
    assert attainment_by_plan([], TODAY) == {}


@pytest.mark.django_db
def test_filters_by_partner_county_and_period():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    ended = PlanFactory(partner="海淀区", county="科右中旗", first_year=2021, last_year=2025)
    running = PlanFactory(partner="海淀区", county="科右中旗", first_year=2026, last_year=2030)
    later = PlanFactory(partner="朝阳区", county="阿尔山市", first_year=2031, last_year=2035)

    def codes(**filters):
        return [row.plan.code for row in portfolio_page(superuser, PortfolioFilter(**filters), 1, today=TODAY).rows]

    assert codes() == [later.code, ended.code, running.code]  # by partner, county, then first year
    assert codes(partner="海淀区") == [ended.code, running.code]
    assert codes(county="阿尔山市") == [later.code]
    assert codes(period="ended") == [ended.code]
    assert codes(period="running") == [running.code]
    assert codes(period="not_started") == [later.code]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_same_number_of_queries_with_one_plan_or_many(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    _plan_with_money()
    few = {url: _queries(client, url) for url in (reverse("portfolio"), reverse("home"))}
    for n in range(30):  # more than a page (25), in several partner districts
        plan = _plan_with_money(partner=f"区{n % 4}", county=f"旗{n % 7}")
        indicator_create(plan=plan, user=SYSTEM, seq=1, name="指标", unit="人", target=Decimal("1"),
                         target_year=2025, attribute="expected")
        stated_figure_create(plan=plan, user=SYSTEM, metric="projects", value=Decimal("3"), year=2022, source="测")
        recompute_plan(plan.pk)
    many = {url: _queries(client, url) for url in few}
    assert many == few
    assert _queries(client, reverse("portfolio") + "?page=2") == few[reverse("portfolio")]


@pytest.mark.django_db
def test_pages_of_plans_and_a_page_number_out_of_range(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    for n in range(27):
        PlanFactory(code=f"p{n:02d}")
    first, second = _page(client).context["data"], _page(client, page=2).context["data"]
    assert len(first.rows) == 25 and len(second.rows) == 2
    assert {r.plan.code for r in first.rows}.isdisjoint({r.plan.code for r in second.rows})
    assert len(_page(client, page="999").context["data"].rows) == 2  # the last page
    assert len(_page(client, page="x'; drop").context["data"].rows) == 25  # the first


@pytest.mark.django_db
def test_the_xlsx_export_holds_every_filtered_plan_and_its_years(client):
    mine = _plan_with_money(partner="海淀区")
    other = _plan_with_money(partner="朝阳区", county="别的旗")
    user = member(mine, "liaison")
    client.force_login(user)
    response = client.get(reverse("portfolio"), {"format": "xlsx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    plans_sheet, years_sheet = workbook.worksheets
    plan_rows = list(plans_sheet.iter_rows(values_only=True))[1:]
    assert [row[2] for row in plan_rows] == [mine.code]  # never another's plan
    assert plan_rows[0][10] == 1600 and plan_rows[0][15] == 0 and plan_rows[0][16] == 5
    year_rows = [row + (None,) * (11 - len(row)) for row in list(years_sheet.iter_rows(values_only=True))[1:]]
    assert [row[3] for row in year_rows] == list(mine.years)
    assert year_rows[0][7] == 800 and year_rows[2][7] is None
    assert other.code not in str(year_rows)


@pytest.mark.django_db
def test_the_export_reads_in_chunks_whatever_the_number_of_plans(client, monkeypatch):
    monkeypatch.setattr("portfolio.export.CHUNK", 2)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    codes = [_plan_with_money().code for _ in range(5)]
    response = client.get(reverse("portfolio"), {"format": "xlsx", "period": "ended"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert sorted(row[2] for row in rows[1:]) == sorted(codes)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_a_user_without_plans_sees_a_hint(client):
    assert client.get(reverse("portfolio"))["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    page = _page(client, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="plan-row"' not in page and "您还不是任何规划的成员" in page
