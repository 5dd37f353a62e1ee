"""The project page: budgets planned vs actual with the year's review, location, history, comments."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.services import budget_create, budget_update
from plans.models import PlanYear
from projects.models import Comment, Project
from projects.services import project_update
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx
from tests.projects_web.conftest import signed_in
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


def _page(client, project):
    response = client.get(reverse("plan-project", kwargs={"code": project.plan.code, "pk": project.pk}))
    assert response.status_code == 200
    return response


def test_budgets_planned_and_actual_per_year_with_review_status_and_lock(plan, as_liaison, budget):
    budget_update(budget=budget, actual_beijing_funds=Decimal("123.4567"), user=SYSTEM)
    budget_create(project=budget.project, year=2023, total_investment=Decimal("10"), beijing_funds=Decimal("10"), user=SYSTEM)
    PlanYear.objects.filter(plan=plan, year=2021).update(review_status=PlanYear.Review.APPROVED)
    response = _page(as_liaison, budget.project)
    page = response.content.decode()
    assert [b.year for b in response.context["budgets"]] == [2021, 2023]
    assert "123.4567" in page and "800.00" in page and "700.00" in page
    assert page.count('class="lock-icon"') == 1 and "approved (locked)" in page and "open for editing" in page
    assert response.context["totals"]["beijing_funds"] == Decimal("810")
    assert "/budgets/" not in page  # a liaison gets no edit links


def test_location_raw_and_recognised(plan, as_liaison, project):
    project_update(project=project, location_text="巴彦呼舒镇哈吐布其嘎查（东片）", user=SYSTEM)
    page = _page(as_liaison, project).content.decode()
    assert "巴彦呼舒镇哈吐布其嘎查（东片）" in page
    assert "<dd>巴彦呼舒镇</dd>" in page and "<dd>哈吐布其嘎查</dd>" in page


def test_history_shows_who_changed_what_from_what_to_what(plan, staff, as_liaison, budget):
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("900"))
    project_update(project=budget.project, user=staff, status=Project.Status.COMPLETED)
    response = _page(as_liaison, budget.project)
    newest, budget_change = response.context["history"][:2]
    assert (newest.subject, newest.who) == ("project", staff.username)
    assert [(c.label, c.old, c.new) for c in newest.changes] == [("Status", "planned", "completed")]
    assert (budget_change.subject, budget_change.who) == ("2021 budget", staff.username)
    assert [(c.old, c.new) for c in budget_change.changes] == [("800.00", "900.00")]
    page = response.content.decode()
    assert "<del>800.00</del> → <ins>900.00</ins>" in page and staff.username in page
    assert "created" in page


def test_history_names_the_import_it_came_from(plan, as_liaison, tmp_path):
    rows = [project_row(1, "导入的项目", 2021, "基础设施类", 10, 6, 4)]
    run_import(plan, write_xlsx(tmp_path / "附表.xlsx", {"2021年": annex_sheet(2021, rows)}))
    rows = [project_row(1, "导入的项目", 2021, "基础设施类", 12, 8, 4)]
    run_import(plan, write_xlsx(tmp_path / "附表-修订.xlsx", {"2021年": annex_sheet(2021, rows)}))
    project = Project.objects.get(plan=plan)
    history = _page(as_liaison, project).context["history"]
    change = next(entry for entry in history if entry.changes)
    assert "附表-修订.xlsx" in change.reason
    assert [(c.old, c.new) for c in change.changes] == [("10.00", "12.00"), ("6.00", "8.00")]
    assert any(entry.created and "附表.xlsx" in entry.reason for entry in history)


def test_the_page_costs_the_same_queries_however_long_the_history(plan, as_liaison, budget, staff):
    def count():
        with CaptureQueriesContext(connection) as captured:
            _page(as_liaison, budget.project)
        return len(captured)

    budget_update(budget=budget, user=staff, beijing_funds=Decimal("801"))
    short = count()
    for amount in range(802, 830):
        budget_update(budget=budget, user=staff, beijing_funds=Decimal(amount))
    budget_create(project=budget.project, year=2024, user=staff)
    assert count() == short


def test_members_comment_and_the_text_is_escaped(plan, liaison, as_liaison, project):
    url = reverse("plan-project-comment", kwargs={"code": plan.code, "pk": project.pk})
    response = as_liaison.post(url, {"body": "<script>alert('x')</script>\n第二行"}, follow=True)
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>第二行" in page
    assert "Your comment is posted." in page
    comment = Comment.objects.get()
    assert (comment.author, comment.project, comment.body) == (liaison, project, "<script>alert('x')</script>\n第二行")


@pytest.mark.parametrize("body, message", [
    ("   ", "This field is required."),
    ("字" * 2001, "Ensure this value has at most 2000 characters"),
])
def test_a_comment_must_have_text_and_at_most_2000_characters(plan, as_liaison, project, body, message):
    url = reverse("plan-project-comment", kwargs={"code": plan.code, "pk": project.pk})
    response = as_liaison.post(url, {"body": body})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Comment.objects.exists()
    # The browser lands at the form, with the error above the box; a reload of the address goes back to the page.
    assert f'action="{url}#comment-form" id="comment-form"' in response.content.decode()
    reload = as_liaison.get(url)
    assert reload.status_code == 302 and reload["Location"].endswith(f"/projects/{project.pk}/#comments")


def test_the_page_is_chinese_by_default(plan, liaison, budget):
    page = _page(signed_in(liaison, lang="zh-hans"), budget.project).content.decode()
    assert "年度" in page and "项目类别" in page
