"""Staff edit a budget and see the totals follow; a liaison returns a year, staff fix it, the liaison
approves it, and the year is then locked for staff."""

import re
from decimal import Decimal

from funding.models import AnnualBudget
from plans.models import PlanYear
from tests.browser.conftest import screenshot


def _budget(plan, name, year):
    return AnnualBudget.objects.select_related("project").get(
        project__plan=plan, project__name=name, plan_year__year=year)


def test_staff_edits_a_budget_and_the_dashboard_total_follows(login, member, bundled_live, live_server):
    staff = member("staff")
    page = login(staff)
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/")
    assert "56,832.60" in page.content()  # the plan's cooperation funds before
    screenshot(page, "dashboard")

    budget = _budget(bundled_live, "科右中旗肉牛改良项目", 2021)
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/projects/{budget.project_id}/")
    screenshot(page, "project")
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/projects/{budget.project_id}/budgets/{budget.pk}/edit/")
    page.fill("#id_beijing_funds", str(budget.beijing_funds + 1000))
    screenshot(page, "budget-form")
    page.click("form.edit-form button[type=submit]")
    # 项目总投资 no longer equals its sources: the form asks before saving, and saves once confirmed
    page.wait_for_selector("#id_confirm_figures")
    assert _budget(bundled_live, "科右中旗肉牛改良项目", 2021).beijing_funds == budget.beijing_funds
    screenshot(page, "budget-form-check")
    page.check("#id_confirm_figures")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/projects/{budget.project_id}/(#.*)?$"))
    assert _budget(bundled_live, "科右中旗肉牛改良项目", 2021).beijing_funds == budget.beijing_funds + 1000

    page.goto(f"{live_server.url}/plans/{bundled_live.code}/")
    assert "57,832.60" in page.content()  # recomputed after the save
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/totals/")
    screenshot(page, "totals")
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/disagreements/")
    screenshot(page, "disagreements")
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/projects/")
    screenshot(page, "projects")
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/indicators/")
    screenshot(page, "indicators")


def _take_step(page, review_url, action, text=None, shot=None):
    """From the year's page: open the step's confirmation, check what it names, tick the box and confirm."""
    page.goto(review_url)
    page.click(f"#action-{action} a.review-btn")
    page.wait_for_selector(f"#confirm-{action}")
    assert "2023" in page.inner_text(f"label[for=id_{action}_checked]")  # it names the year and its figures
    if text is not None:
        page.fill(f"#confirm-{action} textarea[name=text]", text)
    page.click(f"#confirm-{action} button[type=submit]")  # not ticked: the browser itself refuses
    assert page.url.endswith(f"/reviews/2023/{action}/")
    page.check(f"#id_{action}_checked")
    if shot:
        screenshot(page, shot)
    page.click(f"#confirm-{action} button[type=submit]")
    page.wait_for_url(review_url)


def test_return_fix_approve_and_lock(login, member, bundled_live, live_server):
    staff, liaison = member("staff", email="staff@example.org"), member("liaison", email="liaison@example.org")
    review_url = f"{live_server.url}/plans/{bundled_live.code}/reviews/2023/"
    staff_page, liaison_page = login(staff), login(liaison, width=390)  # the liaison on a phone

    _take_step(staff_page, review_url, "submit")
    assert PlanYear.objects.get(plan=bundled_live, year=2023).review_status == "submitted"

    reason = "2023年人才培训类京蒙资金与规划正文不符，请核对后重新提交"
    liaison_page.goto(review_url)
    screenshot(liaison_page, "review-liaison-phone")
    _take_step(liaison_page, review_url, "return", reason, shot="review-return-confirm-phone")
    assert PlanYear.objects.get(plan=bundled_live, year=2023).review_status == "returned"

    staff_page.goto(review_url)
    assert reason in staff_page.content()  # the reason is kept and shown
    budget = _budget(bundled_live, "科右中旗教师赴京跟岗培训交流", 2023)
    edit_url = (f"{live_server.url}/plans/{bundled_live.code}/projects/{budget.project_id}/budgets/"
                f"{budget.pk}/edit/")
    staff_page.goto(edit_url)
    staff_page.fill("#id_beijing_funds", "80")
    staff_page.fill("#id_total_investment", str(80 + budget.local_funds))  # the total follows its sources
    staff_page.click("form.edit-form button[type=submit]")
    staff_page.wait_for_url(re.compile(rf"/projects/{budget.project_id}/(#.*)?$"))
    _take_step(staff_page, review_url, "submit")

    liaison_page.goto(review_url)
    changes = liaison_page.inner_text("#changes")  # first review: where the figures came from, and the hand edit
    assert "annex.xlsx" in changes and "科右中旗教师赴京跟岗培训交流" in changes and "80.00" in changes
    _take_step(liaison_page, review_url, "approve", shot="review-approve-confirm-phone")
    assert PlanYear.objects.get(plan=bundled_live, year=2023).review_status == "approved"
    screenshot(liaison_page, "review-approved-phone")
    liaison_page.goto(f"{review_url}sheet/")
    assert "年度审核确认单" in liaison_page.content()
    screenshot(liaison_page, "review-sheet-phone")

    staff_page.goto(edit_url)  # a locked year offers no form: the lock is said where it would be
    assert staff_page.locator("#id_beijing_funds").count() == 0 and "锁定" in staff_page.content()
    screenshot(staff_page, "budget-locked")
    assert _budget(bundled_live, "科右中旗教师赴京跟岗培训交流", 2023).beijing_funds == Decimal("80")
