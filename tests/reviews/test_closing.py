"""Closing a plan: once every year is approved a plan administrator closes it; then nothing of it changes,
through any door, until an administrator reopens one of its years (with a reason), which opens it again."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from figures.services import stated_figure_create
from funding.services import budget_create
from importers.services import annex_import
from indicators.services import indicator_create
from plans.access import EDIT, PlanClosed, may
from plans.models import Plan, PlanYear
from plans.services import category_create, membership_set, plan_update
from projects.services import project_create, project_update
from reviews.models import PlanEvent
from reviews.queries import plan_figures
from reviews.services import StaleFigures, plan_close, year_reopen
from tests.factories import BudgetFactory, ProjectFactory, UserFactory


@pytest.fixture
def approved_plan(plan, budget):
    PlanYear.objects.filter(plan=plan).update(review_status=PlanYear.Review.APPROVED)
    return plan


@pytest.fixture
def closed_plan(approved_plan, admin_member):
    plan_close(plan=approved_plan, user=admin_member, note="终期评估已完成")
    approved_plan.refresh_from_db()
    return approved_plan


def test_a_plan_closes_only_when_every_year_is_approved(plan, budget, admin_member):
    PlanYear.objects.filter(plan=plan).exclude(year=2024).update(review_status=PlanYear.Review.APPROVED)
    with pytest.raises(ValidationError) as refused:
        plan_close(plan=plan, user=admin_member)
    assert "2024" in refused.value.messages[0]
    plan.refresh_from_db()
    assert not plan.closed and not PlanEvent.objects.exists()


def test_only_a_plan_administrator_closes_it(approved_plan, liaison, staff, outsider):
    for user in (liaison, staff, outsider):
        with pytest.raises(PermissionDenied):
            plan_close(plan=approved_plan, user=user)
    approved_plan.refresh_from_db()
    assert not approved_plan.closed


def test_closing_keeps_who_when_and_every_years_figures(approved_plan, admin_member, budget):
    event = plan_close(plan=approved_plan, user=admin_member, note="终期评估已完成")
    approved_plan.refresh_from_db()
    assert approved_plan.closed and approved_plan.closed_by == admin_member
    assert event.action == "close" and event.reason == "终期评估已完成"
    assert event.snapshot["years"][str(budget.plan_year.year)]["beijing_funds"] == "800.00" == f"{budget.beijing_funds:.2f}"
    with pytest.raises(ValidationError):
        plan_close(plan=approved_plan, user=admin_member)  # closed already


def test_a_stale_confirmation_is_refused(approved_plan, admin_member):
    with pytest.raises(StaleFigures):
        plan_close(plan=approved_plan, user=admin_member, confirmed="000000000000")
    plan_close(plan=approved_plan, user=admin_member, confirmed=plan_figures(approved_plan).digest)


def test_nothing_of_a_closed_plan_changes_through_any_service(closed_plan, admin_member, staff, project):
    category = project.category
    attempts = [
        lambda: project_update(project=project, user=staff, description="改一下"),  # even an unlocked field
        lambda: project_create(plan=closed_plan, user=admin_member, name="新项目", category=category),
        lambda: stated_figure_create(plan=closed_plan, user=admin_member, metric="beijing_funds",
                                     value=Decimal("1"), source="正文"),
        lambda: indicator_create(plan=closed_plan, user=admin_member, name="新指标", target=Decimal("1"),
                                 attribute="expected"),
        lambda: plan_update(plan=closed_plan, user=admin_member, name="新名字"),
        lambda: category_create(plan=closed_plan, user=admin_member, code="new", name_zh="新类"),
        lambda: annex_import(plan=closed_plan, files=[], user=admin_member, dry_run=True),
    ]
    for attempt in attempts:
        with pytest.raises(PlanClosed) as refused:
            attempt()
        assert "closed" in str(refused.value) or "关闭" in str(refused.value)
    assert not may(admin_member, closed_plan, EDIT)
    # Who may see it is still managed.
    membership_set(plan=closed_plan, member=UserFactory(), role="liaison", user=admin_member)


def test_a_budget_of_a_closed_plan_is_refused_too(closed_plan, admin_member):
    other = ProjectFactory(plan=closed_plan)
    with pytest.raises(PermissionDenied):
        budget_create(project=other, year=2021, user=admin_member, beijing_funds=Decimal("1"))


def test_only_an_administrator_reopens_a_year_of_a_closed_plan_and_that_opens_the_plan(
        closed_plan, liaison, admin_member, budget, staff):
    year = budget.plan_year
    year.refresh_from_db()
    with pytest.raises(PermissionDenied):
        year_reopen(plan_year=year, user=liaison, reason="需更正")
    with pytest.raises(ValidationError):
        year_reopen(plan_year=year, user=admin_member, reason="")
    closed_plan.refresh_from_db()
    assert closed_plan.closed

    year_reopen(plan_year=year, user=admin_member, reason="财政局更正了2021年拨付额")
    closed_plan.refresh_from_db()
    assert not closed_plan.closed and closed_plan.closed_by is None
    reopened = PlanEvent.objects.get(plan=closed_plan, action="reopen")
    assert reopened.year == year.year and reopened.reason == "财政局更正了2021年拨付额"
    project_update(project=budget.project, user=staff, description="可以改了")


def test_an_open_plans_year_is_still_reopened_by_a_liaison(approved_plan, liaison, budget):
    year = PlanYear.objects.get(pk=budget.plan_year_id)
    year_reopen(plan_year=year, user=liaison, reason="更正")
    assert not PlanEvent.objects.exists()


def test_the_pages_offer_closing_confirm_it_and_show_it(client, approved_plan, admin_member, liaison):
    client.force_login(liaison)
    page = client.get(reverse("plan-reviews", args=[approved_plan.code])).content.decode()
    assert reverse("plan-close", args=[approved_plan.code]) not in page
    assert client.get(reverse("plan-close", args=[approved_plan.code])).status_code == 403

    client.force_login(admin_member)
    url = reverse("plan-close", args=[approved_plan.code])
    assert url in client.get(reverse("plan-reviews", args=[approved_plan.code])).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200
    digest = plan_figures(approved_plan).digest
    assert digest in confirm.content.decode()
    unticked = client.post(url, {"confirmed": digest})
    assert unticked.status_code == 200 and not Plan.objects.get(pk=approved_plan.pk).closed
    stale = client.post(url, {"confirmed": "000000000000", "checked": "on"})
    assert stale.status_code == 409 and not Plan.objects.get(pk=approved_plan.pk).closed
    done = client.post(url, {"confirmed": digest, "checked": "on", "text": "终期评估后关闭"}, follow=True)
    assert Plan.objects.get(pk=approved_plan.pk).closed
    assert "终期评估后关闭" in done.content.decode()


def test_the_project_page_offers_no_edit_once_closed(client, closed_plan, staff, project):
    client.force_login(staff)
    response = client.get(reverse("plan-project-edit", args=[closed_plan.code, project.pk]))
    assert response.status_code == 403


def test_the_command_closes_as_the_user_named(approved_plan, admin_member, staff):
    with pytest.raises(CommandError):
        call_command("close_plan", plan=approved_plan.code, user=staff.username)
    call_command("close_plan", plan=approved_plan.code, user=admin_member.username, note="命令行关闭")
    assert Plan.objects.get(pk=approved_plan.pk).closed
