"""The review pages and their steps: who gets in, what each role may do, what the pages show.

Every step goes through a confirmation page that names the year and its figures and posts their check
code with a required tick box; the list offers no step at all.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from figures.models import StatedFigure
from funding.models import AnnualBudget
from funding.services import budget_update
from plans.models import PlanYear
from reviews.models import ReviewEvent
from reviews.queries import year_figures
from reviews.services import year_approve, year_reopen, year_submit
from rollups.models import Variance
from rollups.services import recompute_plan
from tests.factories import BudgetFactory, ProjectFactory
from tests.reviews.helpers import set_status, stated_figure

ACTIONS = ["submit", "approve", "return", "reopen"]


def _pages(plan, year=2021):
    return [reverse("plan-reviews", args=[plan.code]), reverse("plan-review", args=[plan.code, year]),
            reverse("plan-review-sheet", args=[plan.code, year])]


def _action(plan, action, year=2021):
    return reverse("plan-review-action", args=[plan.code, year, action])


def _detail(plan, year=2021):
    return reverse("plan-review", args=[plan.code, year])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _confirm(client, plan, action, text="", year=2021, tick=True):
    """Open the step's confirmation page and post it as shown (with its check code), as a browser would."""
    page = client.get(_action(plan, action, year))
    assert page.status_code == 200, page.status_code
    code = re.search(r'name="confirmed" value="([0-9a-f]+)"', page.content.decode()).group(1)
    data = {"confirmed": code, "text": text, **({"checked": "on"} if tick else {})}
    return client.post(_action(plan, action, year), data)


def test_anonymous_is_sent_to_login(client, plan):
    for url in _pages(plan) + [_action(plan, a) for a in ACTIONS]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"
    for action in ACTIONS:
        url = _action(plan, action)
        assert client.post(url, {"text": "理由", "checked": "on"})["Location"] == f"/accounts/login/?next={url}"
    assert not ReviewEvent.objects.exists()


def test_a_member_of_another_plan_gets_not_found(client, plan, outsider):
    client.force_login(outsider)
    for url in _pages(plan):
        assert client.get(url).status_code == 404
    for action in ACTIONS:
        assert client.get(_action(plan, action)).status_code == 404
        assert client.post(_action(plan, action), {"text": "理由", "checked": "on"}).status_code == 404
    assert not ReviewEvent.objects.exists()


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
def test_every_role_of_the_plan_reads(client, member, plan, role):
    client.force_login(member(role))
    for url in _pages(plan):
        assert client.get(url).status_code == 200


def test_unknown_year_action_or_method(client, plan, staff):
    client.force_login(staff)
    assert client.get(reverse("plan-review", args=[plan.code, 2030])).status_code == 404
    assert client.get(reverse("plan-review-sheet", args=[plan.code, 2030])).status_code == 404
    assert client.get(_action(plan, "submit", 2030)).status_code == 404
    assert client.post(_action(plan, "submit", 2030)).status_code == 404
    assert client.post(_action(plan, "delete")).status_code == 404
    assert client.put(_action(plan, "submit")).status_code == 405


@pytest.mark.parametrize("action, start, role", [
    ("submit", "open", "liaison"), ("approve", "submitted", "staff"),
    ("return", "submitted", "staff"), ("reopen", "approved", "staff"),
])
def test_a_role_that_may_not_gets_forbidden(client, member, year_2021, plan, action, start, role):
    set_status(year_2021, start)
    client.force_login(member(role))
    assert client.get(_action(plan, action)).status_code == 403  # not even the confirmation
    code = year_figures(year_2021).digest
    assert client.post(_action(plan, action), {"text": "理由", "checked": "on", "confirmed": code}).status_code == 403
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == start and not ReviewEvent.objects.exists()


def test_each_role_takes_its_steps_through_the_confirmation(client, plan, staff, liaison, admin_member, year_2021):
    client.force_login(staff)
    response = _confirm(client, plan, "submit", "请审核")
    assert response.status_code == 302 and response["Location"] == _detail(plan)
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "submitted"

    client.force_login(liaison)
    response = _confirm(client, plan, "return", "第3行资金有误")
    assert response["Location"] == _detail(plan)
    assert ReviewEvent.objects.last().reason == "第3行资金有误"

    client.force_login(admin_member)
    _confirm(client, plan, "submit")
    client.force_login(liaison)
    response = _confirm(client, plan, "approve", "核对无误")
    assert PlanYear.objects.get(pk=year_2021.pk).locked
    assert _messages(response) == ["2021 年度已审核通过并锁定。"]
    _confirm(client, plan, "reopen", "需更正")
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "open"
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == [
        "submit", "return", "submit", "approve", "reopen"]
    assert all(len(e.snapshot["digest"]) == 12 for e in ReviewEvent.objects.all())


def test_the_confirmation_names_the_year_and_its_figures(client, plan, budget, staff, liaison):
    year_submit(plan_year=budget.plan_year, user=staff)
    client.force_login(liaison)
    page = client.get(_action(plan, "approve")).content.decode()
    assert ("确认审核通过 2021 年度：项目 1 个，项目总投资 1,500.00 万元，京蒙协作资金 800.00 万元，"
            "地方自筹资金 700.00 万元；通过后该年度锁定。") in page
    assert re.search(r'<input type="checkbox" name="checked"[^>]* required', page)  # no tick, no step (no JS needed)
    assert f'name="confirmed" value="{year_figures(budget.plan_year).digest}"' in page
    assert 'class="review-btn review-btn-approve"' in page
    page = client.get(_action(plan, "return")).content.decode()
    assert "确认退回 2021 年度修改：项目 1 个，项目总投资 1,500.00 万元" in page
    assert re.search(r'<textarea name="text"[^>]* required', page)


def test_without_the_tick_or_a_reason_nothing_happens(client, plan, budget, liaison, year_2021):
    set_status(year_2021, "submitted")
    client.force_login(liaison)
    response = _confirm(client, plan, "approve", tick=False)
    assert response.status_code == 200 and "请勾选方框，确认您已核对以上数字。" in response.content.decode()
    response = _confirm(client, plan, "return", "   ")
    assert response.status_code == 200 and "理由" in response.content.decode()
    response = client.post(_action(plan, "approve"), {"checked": "on"})  # no check code: it was never shown
    assert response.status_code == 200
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "submitted" and not ReviewEvent.objects.exists()


def test_approving_figures_that_changed_after_the_confirmation_opened_is_refused(client, plan, budget, staff,
                                                                                 liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    client.force_login(liaison)
    page = client.get(_action(plan, "approve")).content.decode()
    seen = re.search(r'name="confirmed" value="([0-9a-f]+)"', page).group(1)
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("900"), total_investment=Decimal("1600"))

    response = client.post(_action(plan, "approve"), {"confirmed": seen, "checked": "on", "text": "核对无误"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "2021 年度的数字在您打开确认页之后已有变化" in page and "请重新查看后再确认" in page
    assert "项目总投资 1,600.00 万元，京蒙协作资金 900.00 万元" in page  # the figures as they are now
    assert f'name="confirmed" value="{year_figures(year).digest}"' in page and seen not in page
    assert "核对无误" in page  # the note typed is kept
    assert PlanYear.objects.get(pk=year.pk).review_status == "submitted"
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == ["submit"]
    assert _confirm(client, plan, "approve").status_code == 302  # confirmed anew: approved
    assert PlanYear.objects.get(pk=year.pk).locked


def test_a_step_in_the_wrong_state_goes_back_with_a_message(client, plan, liaison, year_2021):
    client.force_login(liaison)
    response = client.get(_action(plan, "approve"))
    assert response.status_code == 302 and response["Location"] == _detail(plan)
    assert any("2021" in m for m in _messages(response))
    code = year_figures(year_2021).digest
    response = client.post(_action(plan, "approve"), {"confirmed": code, "checked": "on"})
    assert response.status_code == 302 and any("2021" in m for m in _messages(response))
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "open" and not ReviewEvent.objects.exists()


def _list_part(page):
    return page.split('class="review-cards review-years"')[1].split("</ul>")[0]


def test_the_list_offers_no_step_only_each_year_its_status_totals_and_next_step(client, plan, budget, staff,
                                                                                liaison):
    url = reverse("plan-reviews", args=[plan.code])
    client.force_login(staff)
    page = client.get(url).content.decode()
    years = _list_part(page)
    assert years.count('class="review-year ') == 5
    assert "<form" not in years and "<button" not in years and "/submit/" not in years and "/approve/" not in years
    for year in range(2021, 2026):
        assert f'href="{_detail(plan, year)}"' in years
    assert "1,500.00" in years and "800.00" in years and "700.00" in years  # 2021's totals
    assert years.count("下一步：县办工作人员核对数字后提交审核。") == 5 and years.count("轮到您") == 5

    year_submit(plan_year=budget.plan_year, user=staff, note="第一次提交")
    years = _list_part(client.get(url).content.decode())
    assert years.count("轮到您") == 4  # 2021 waits for the liaison now
    client.force_login(liaison)
    years = _list_part(client.get(url).content.decode())
    assert "review-status-submitted" in years and "第一次提交" in years and "县办" in years
    assert "下一步：联络员审核通过，或退回修改。" in years and years.count("轮到您") == 1
    assert "<form" not in years and "<button" not in years


def test_the_year_page_offers_its_steps_after_the_totals_approve_and_return_apart(client, plan, budget, staff,
                                                                                 liaison):
    year_submit(plan_year=budget.plan_year, user=staff)
    client.force_login(liaison)
    page = client.get(_detail(plan)).content.decode()
    assert page.index('id="totals"') < page.index('id="actions"') < page.index('id="changes"')
    actions = page.split('id="actions"')[1].split("</section>")[0]
    approve = re.search(r'<a class="review-btn review-btn-approve" href="([^"]+)"', actions).group(1)
    ret = re.search(r'<a class="review-btn review-btn-return" href="([^"]+)"', actions).group(1)
    assert approve == _action(plan, "approve") and ret == _action(plan, "return")
    assert 'id="action-approve"' in actions and 'id="action-return"' in actions and "<form" not in actions
    assert "review-btn-submit" not in actions and "review-btn-reopen" not in actions
    assert f'href="{reverse("plan-review-sheet", args=[plan.code, 2021])}"' in page and "打印确认单" in page
    client.force_login(staff)
    actions = client.get(_detail(plan)).content.decode().split('id="actions"')[1].split("</section>")[0]
    assert "review-btn" not in actions and "下一步：联络员审核通过，或退回修改。" in actions


def test_the_detail_page_shows_totals_disagreements_history_and_lock(client, plan, budget, staff, liaison):
    stated_figure(plan, "annex", 2021, None, "beijing_funds", "790")
    recompute_plan(plan.pk)
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    event = year_approve(plan_year=year, user=liaison, note="核对无误")
    client.force_login(staff)
    page = client.get(_detail(plan)).content.decode()
    assert 'class="messages locked-banner"' in page and "已审核通过并锁定" in page
    assert "800.00" in page and "790.00" in page and "+10.00" in page  # computed, annex, difference
    sentence = Variance.objects.get(plan=plan, year=2021, status="differs", metric="beijing_funds")
    assert sentence.source in page
    assert "核对无误" in page and page.count('class="event event-') == 2
    local = event.at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in page  # the site's date format
    assert 'class="review-btn review-btn-submit"' not in page  # staff cannot submit an approved year
    assert 'class="review-btn review-btn-reopen"' not in page  # nor reopen it
    client.force_login(liaison)
    page = client.get(_detail(plan)).content.decode()
    assert 'id="action-reopen"' in page and 'class="review-btn review-btn-approve"' not in page
    open_year = client.get(_detail(plan, 2022)).content.decode()
    assert 'class="messages locked-banner"' not in open_year


def _changes(page):
    return page.split('id="changes"')[1].split('id="history"')[0]


def test_after_a_submission_the_changes_are_those_since_the_last_approval(client, plan, budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    year_approve(plan_year=year, user=liaison)
    year_reopen(plan_year=year, user=liaison, reason="更正")
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("805"))
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal("812.5"))
    year_submit(plan_year=year, user=staff)  # a fresh submission: the changes still show
    client.force_login(liaison)
    changes = _changes(client.get(_detail(plan)).content.decode())
    assert "上次审核通过以来的修改" in changes and "此后没有任何修改" not in changes
    assert "<del>800.00</del> → <ins>812.50</ins>" in changes and "805.00" not in changes  # net, not each save
    assert "县办" in changes and budget.project.name in changes
    table = changes.split('class="data review-before-after"')[1].split("</table>")[0]
    assert "800.00" in table and "812.50" in table and "+12.50" in table  # totals first: as approved → now


def test_a_year_never_approved_shows_where_its_figures_came_from(client, plan, budget, staff, liaison):
    year = budget.plan_year
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("790"))
    year_submit(plan_year=year, user=staff)
    client.force_login(liaison)
    changes = _changes(client.get(_detail(plan)).content.decode())
    assert "数字的来源" in changes and "本年度尚未审核通过过" in changes
    assert "手工保存 1 次，涉及 1 条记录。" in changes and "县办（1 次）" in changes
    assert "<del>800.00</del> → <ins>790.00</ins>" in changes
    assert "没有任何修改" not in changes


def _world(plan, staff, n):
    AnnualBudget.objects.all().delete()
    ReviewEvent.objects.all().delete()
    StatedFigure.objects.all().delete()
    year = set_status(PlanYear.objects.get(plan=plan, year=2021), "open")
    budgets = [BudgetFactory(project=ProjectFactory(plan=plan)) for _ in range(n)]
    stated_figure(plan, "annex", 2021, None, "beijing_funds", "790")
    recompute_plan(plan.pk)
    return year, budgets


@pytest.mark.parametrize("approved", [False, True], ids=["first-review", "since-approval"])
def test_the_year_page_costs_the_same_queries_for_10_or_40_budgets(client, plan, staff, liaison, approved):
    client.force_login(liaison)

    def queries_with(n):
        year, budgets = _world(plan, staff, n)
        if approved:
            year_submit(plan_year=year, user=staff)
            year_approve(plan_year=year, user=liaison)
            year_reopen(plan_year=year, user=liaison, reason="调整")
        for budget in budgets:  # every one changed by hand: n projects in "what changed", capped at 30
            budget_update(budget=budget, user=staff, local_funds=Decimal("699"))
        year_submit(plan_year=year, user=staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_detail(plan))
        assert response.status_code == 200
        assert _changes(response.content.decode()).count("<ins>699.00</ins>") == min(n, 30)
        return len(queries)

    assert queries_with(10) == queries_with(40)


def test_the_year_page_and_the_confirmation_stay_under_a_query_budget(client, plan, staff, liaison,
                                                                      django_assert_max_num_queries):
    year, budgets = _world(plan, staff, 40)
    year_submit(plan_year=year, user=staff)
    year_approve(plan_year=year, user=liaison)
    year_reopen(plan_year=year, user=liaison, reason="调整")
    for budget in budgets:
        budget_update(budget=budget, user=staff, local_funds=Decimal("699"))
    year_submit(plan_year=year, user=staff)
    client.force_login(liaison)
    with django_assert_max_num_queries(50):
        assert client.get(_detail(plan)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(_action(plan, "approve")).status_code == 200
