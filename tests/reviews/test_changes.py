""""What changed since the last review": every kind of change, who made it, and the cap."""

from decimal import Decimal

from funding.models import AnnualBudget
from funding.services import budget_delete, budget_update
from projects.services import project_update
from reviews.changes import changes_since
from reviews.services import year_submit
from tests.factories import BudgetFactory, ProjectFactory


def test_edits_creations_and_deletions_since_the_review(plan, budget, staff):
    year = budget.plan_year
    doomed = BudgetFactory(project=ProjectFactory(plan=plan, name="将被删除的项目"))
    old_name = budget.project.name
    since = year_submit(plan_year=year, user=staff).at
    budget_update(budget=budget, user=staff, total_investment=Decimal("1600"), nature="续建")
    project_update(project=budget.project, user=staff, name="改名后的项目")
    budget_delete(budget=AnnualBudget.objects.get(pk=doomed.pk), user=staff)
    BudgetFactory(project=ProjectFactory(plan=plan, name="新增项目"))

    changed = changes_since(year, since)
    # a budget edit, a project rename, a budget deletion, a new project and its budget
    assert changed["count"] == 5
    by_kind = {}
    for change in changed["changes"]:
        by_kind.setdefault(change.kind, []).append(change)
    edit = next(c for c in by_kind["~"] if c.what == "预算：改名后的项目")
    assert [(f.old, f.new) for f in edit.fields] == [("—", "续建"), ("1,500.00", "1,600.00")]
    assert edit.who == "县办"
    rename = next(c for c in by_kind["~"] if c.what.startswith("项目："))
    assert [(f.old, f.new) for f in rename.fields] == [(old_name, "改名后的项目")]
    assert [c.what for c in by_kind["-"]] == ["预算：将被删除的项目"]
    assert sorted(c.what for c in by_kind["+"]) == ["项目：新增项目", "预算：新增项目"]


def test_the_list_is_capped_but_counts_everything(budget, staff):
    year = budget.plan_year
    since = year_submit(plan_year=year, user=staff).at
    for cents in range(1, 6):
        budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal(800 + cents))
    changed = changes_since(year, since, limit=3)
    assert changed["count"] == 5 and len(changed["changes"]) == 3
    assert [c.fields[0].new for c in changed["changes"]] == ["805.00", "804.00", "803.00"]  # newest first


def test_before_any_review_every_change_is_listed(budget):
    changed = changes_since(budget.plan_year, None)
    assert changed["count"] == 2 and {c.kind for c in changed["changes"]} == {"+"}  # the project and its budget
