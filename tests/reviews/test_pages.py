"""The review pages and their actions: who gets in, what each role may do, what the pages show."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import AnnualBudget
from funding.services import budget_update
from plans.models import PlanYear
from reviews.models import ReviewEvent
from reviews.services import year_approve, year_return, year_submit
from rollups.models import Variance
from rollups.services import recompute_plan
from tests.factories import BudgetFactory, ProjectFactory
from tests.reviews.helpers import set_status, stated_figure

ACTIONS = ["submit", "approve", "return", "reopen"]


def _pages(plan):
    return [reverse("plan-reviews", args=[plan.code]), reverse("plan-review", args=[plan.code, 2021])]


def _action(plan, action, year=2021):
    return reverse("plan-review-action", args=[plan.code, year, action])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_anonymous_is_sent_to_login(client, plan):
    for url in _pages(plan) + [_action(plan, a) for a in ACTIONS]:
        response = client.post(url, {"text": "理由"}) if url.endswith(tuple(f"/{a}/" for a in ACTIONS)) \
            else client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert not ReviewEvent.objects.exists()


def test_a_member_of_another_plan_gets_not_found(client, plan, outsider):
    client.force_login(outsider)
    for url in _pages(plan):
        assert client.get(url).status_code == 404
    for action in ACTIONS:
        assert client.post(_action(plan, action), {"text": "理由"}).status_code == 404
    assert not ReviewEvent.objects.exists()


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
def test_every_role_of_the_plan_reads(client, member, plan, role):
    client.force_login(member(role))
    for url in _pages(plan):
        assert client.get(url).status_code == 200


def test_unknown_year_action_or_method(client, plan, staff):
    client.force_login(staff)
    assert client.get(reverse("plan-review", args=[plan.code, 2030])).status_code == 404
    assert client.post(_action(plan, "submit", 2030)).status_code == 404
    assert client.post(_action(plan, "delete")).status_code == 404
    assert client.get(_action(plan, "submit")).status_code == 405


@pytest.mark.parametrize("action, start, role", [
    ("submit", "open", "liaison"), ("approve", "submitted", "staff"),
    ("return", "submitted", "staff"), ("reopen", "approved", "staff"),
])
def test_a_role_that_may_not_gets_forbidden(client, member, year_2021, plan, action, start, role):
    set_status(year_2021, start)
    client.force_login(member(role))
    assert client.post(_action(plan, action), {"text": "理由"}).status_code == 403
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == start and not ReviewEvent.objects.exists()


def test_each_role_takes_its_steps_through_the_pages(client, plan, staff, liaison, admin_member, year_2021):
    detail = reverse("plan-review", args=[plan.code, 2021])
    client.force_login(staff)
    response = client.post(_action(plan, "submit"), {"text": "请审核"})
    assert response.status_code == 302 and response["Location"] == detail
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "submitted"

    client.force_login(liaison)
    response = client.post(_action(plan, "return"), {"text": "第3行资金有误"})
    assert response["Location"] == detail
    assert ReviewEvent.objects.last().reason == "第3行资金有误"

    client.force_login(admin_member)
    response = client.post(_action(plan, "submit"), {"back": "list"})
    assert response["Location"] == reverse("plan-reviews", args=[plan.code])
    client.force_login(liaison)
    client.post(_action(plan, "approve"))
    assert PlanYear.objects.get(pk=year_2021.pk).locked
    client.post(_action(plan, "reopen"), {"text": "需更正"})
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "open"
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == [
        "submit", "return", "submit", "approve", "reopen"]


def test_a_step_in_the_wrong_state_redirects_with_an_error(client, plan, liaison, year_2021):
    client.force_login(liaison)
    response = client.post(_action(plan, "approve"), {"text": ""})
    assert response.status_code == 302 and response["Location"] == reverse("plan-review", args=[plan.code, 2021])
    assert any("2021" in m for m in _messages(response))
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "open" and not ReviewEvent.objects.exists()


def test_returning_without_a_reason_changes_nothing(client, plan, liaison, year_2021):
    set_status(year_2021, "submitted")
    client.force_login(liaison)
    response = client.post(_action(plan, "return"), {"text": "   "})
    assert response.status_code == 302 and _messages(response)
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == "submitted" and not ReviewEvent.objects.exists()


def test_the_list_shows_each_year_and_only_the_allowed_buttons(client, plan, staff, liaison, year_2021):
    url = reverse("plan-reviews", args=[plan.code])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert page.count('class="review-year') == 5
    assert page.count('button type="submit" class="primary review-submit"') == 5
    assert "review-approve" not in page and "review-return" not in page
    year_submit(plan_year=year_2021, user=staff, note="第一次提交")
    client.force_login(liaison)
    page = client.get(url).content.decode()
    assert "review-status-submitted" in page and "第一次提交" in page and "县办" in page
    assert page.count("review-approve") == 1 and page.count("review-return") == 1 and "review-submit" not in page


def test_the_detail_page_shows_totals_disagreements_history_and_lock(client, plan, budget, staff, liaison):
    stated_figure(plan, "annex", 2021, None, "beijing_funds", "790")
    recompute_plan(plan.pk)
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    year_approve(plan_year=year, user=liaison, note="核对无误")
    client.force_login(staff)
    page = client.get(reverse("plan-review", args=[plan.code, 2021])).content.decode()
    assert 'class="messages locked-banner"' in page and "已审核通过并锁定" in page
    assert "800.00" in page and "790.00" in page and "+10.00" in page  # computed, annex, difference
    sentence = Variance.objects.get(plan=plan, year=2021, status="differs", metric="beijing_funds")
    assert sentence.source in page
    assert "核对无误" in page and page.count('class="event event-') == 2
    assert "review-submit" not in page and "review-reopen" not in page  # staff cannot reopen
    client.force_login(liaison)
    page = client.get(reverse("plan-review", args=[plan.code, 2021])).content.decode()
    assert 'id="action-reopen"' in page and "review-approve" not in page
    open_year = client.get(reverse("plan-review", args=[plan.code, 2022])).content.decode()
    assert 'class="messages locked-banner"' not in open_year


def test_what_changed_lists_an_edit_made_after_submission(client, plan, budget, staff, liaison):
    year = budget.plan_year
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("805"))  # before: not listed
    year_submit(plan_year=year, user=staff)
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal("812.5"))
    BudgetFactory(project=ProjectFactory(plan=plan, name="提交后新增项目"))
    client.force_login(liaison)
    page = client.get(reverse("plan-review", args=[plan.code, 2021])).content.decode()
    changes = page.split('id="changes"')[1].split('id="history"')[0]
    assert "<del>805.00</del> → <ins>812.50</ins>" in changes
    assert "800.00" not in changes
    assert "县办" in changes and budget.project.name in changes
    assert 'class="change change-created"' in changes and "提交后新增项目" in changes


def test_after_a_return_the_fixes_made_before_resubmission_are_listed(client, plan, budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    year_return(plan_year=year, user=liaison, reason="京蒙资金有误")
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("790"))
    year_submit(plan_year=year, user=staff)
    client.force_login(liaison)
    page = client.get(reverse("plan-review", args=[plan.code, 2021])).content.decode()
    assert "<del>800.00</del> → <ins>790.00</ins>" in page.split('id="changes"')[1]


def test_the_review_page_costs_the_same_queries_for_10_or_40_budgets(client, plan, staff, liaison):
    year = PlanYear.objects.get(plan=plan, year=2021)
    client.force_login(liaison)
    url = reverse("plan-review", args=[plan.code, 2021])

    def queries_with(n):
        AnnualBudget.objects.all().delete()
        ReviewEvent.objects.all().delete()
        set_status(year, "open")
        budgets = [BudgetFactory(project=ProjectFactory(plan=plan)) for _ in range(n)]
        year_submit(plan_year=year, user=staff)
        for budget in budgets:  # every one changed after submission: n rows in "what changed"
            budget_update(budget=budget, user=staff, local_funds=Decimal("699"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.content.decode().count("<ins>699.00</ins>") == n
        return len(queries)

    assert queries_with(10) == queries_with(40)
