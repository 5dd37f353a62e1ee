"""What a reviewer reads about a year's figures: changes since the last approval, or where they came from."""

from decimal import Decimal

import pytest

from funding.models import AnnualBudget
from funding.services import budget_create, budget_delete, budget_update
from importers.batches import batch_create, batch_run
from plans.access import SYSTEM
from plans.models import PlanYear
from plans.services import membership_set
from projects.services import project_update
from reviews import changes
from reviews.changes import last_approval, origin, since_approval
from reviews.models import ReviewEvent
from reviews.queries import year_figures
from reviews.services import year_approve, year_reopen, year_return, year_submit
from tests.factories import BudgetFactory, ProjectFactory, UserFactory
from tests.importers.helpers import annex_sheet, project_row, write_xlsx
from tests.reviews.helpers import stated_figure


def _approved(year, staff, liaison):
    year_submit(plan_year=year, user=staff)
    return year_approve(plan_year=year, user=liaison)


def _since(year):
    events = list(ReviewEvent.objects.for_year(year).order_by("at", "id"))
    return since_approval(year, last_approval(events), year_figures(year))


def test_the_reference_is_the_last_approval_not_a_submission_or_return(budget, staff, liaison):
    year = budget.plan_year
    approval = _approved(year, staff, liaison)
    year_reopen(plan_year=year, user=liaison, reason="更正")
    year_submit(plan_year=year, user=staff)
    year_return(plan_year=year, user=liaison, reason="再核对")
    year_submit(plan_year=year, user=staff)
    events = list(ReviewEvent.objects.for_year(year).order_by("at", "id"))
    assert last_approval(events) == approval
    assert last_approval([e for e in events if e.action != "approve"]) is None


def test_nothing_changed_since_the_approval_says_so(budget, staff, liaison):
    year = budget.plan_year
    _approved(year, staff, liaison)
    year_reopen(plan_year=year, user=liaison, reason="更正")
    year_submit(plan_year=year, user=staff)  # a submission is no change of the figures
    since = _since(year)
    assert since.nothing and since.changed_records == 0
    assert [(t.before, t.after) for t in since.totals] == [
        (1, 1), (Decimal("1500.00"), Decimal("1500.00")), (Decimal("800.00"), Decimal("800.00")),
        (Decimal("700.00"), Decimal("700.00"))]


def test_changes_since_the_approval_totals_first_then_by_project_and_kind(plan, budget, staff, liaison, member):
    year, old_name = budget.plan_year, budget.project.name
    doomed = BudgetFactory(project=ProjectFactory(plan=plan, name="将被删除的项目"), beijing_funds=Decimal("50"),
                           total_investment=Decimal("50"), local_funds=Decimal("0"))
    _approved(year, staff, liaison)
    year_reopen(plan_year=year, user=liaison, reason="审计调整")
    other = member("staff", first_name="王五")
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("805"))
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=other, beijing_funds=Decimal("812.5"),
                  total_investment=Decimal("1512.5"))
    project_update(project=budget.project, user=staff, name="改名后的项目")
    budget_delete(budget=AnnualBudget.objects.get(pk=doomed.pk), user=staff)
    BudgetFactory(project=ProjectFactory(plan=plan, name="新增项目"), total_investment=Decimal("10"),
                  beijing_funds=Decimal("10"), local_funds=Decimal("0"))
    stated_figure(plan, "manual", 2021, None, "beijing_funds", "812.5")

    since = _since(year)
    totals = {t.label: (t.before, t.after, t.difference) for t in since.totals}
    assert totals["项目"] == (2, 2, 0)
    assert totals["项目总投资"] == (Decimal("1550.00"), Decimal("1522.50"), Decimal("-27.50"))
    assert totals["京蒙协作资金"] == (Decimal("850.00"), Decimal("822.50"), Decimal("-27.50"))
    assert totals["地方自筹资金"] == (Decimal("700.00"), Decimal("700.00"), Decimal("0.00"))
    # by kind: budgets 1 changed, 1 added, 1 deleted; projects: 1 renamed, 1 new, the stated figure
    assert (since.budgets.created, since.budgets.changed, since.budgets.deleted) == (1, 1, 1)
    assert (since.projects.created, since.projects.changed) == (1, 1)
    assert since.figures.records == 1 and since.changed_records == 6
    # by whom, with how many saves (the factories and the stated figure here write as the system)
    assert {(e.name, e.edits) for e in since.editors} == {("县办", 3), ("王五", 1), ("系统（随附数据或命令行）", 3)}

    by_project = {p.name: p for p in since.listing.projects}
    assert set(by_project) == {"改名后的项目", "将被删除的项目", "新增项目"}
    edited = by_project["改名后的项目"]
    # the net change as approved → now, not every save in between
    assert [(f.label, f.old, f.new) for f in edited.budget.fields] == [
        ("项目总投资（万元）", "1,500.00", "1,512.50"), ("京蒙协作资金（万元）", "800.00", "812.50")]
    assert edited.budget.edits == 2 and edited.edits == 3 and set(edited.who) == {"县办", "王五"}
    assert [(f.old, f.new) for f in edited.project.fields if f.name == "name"] == [(old_name, "改名后的项目")]
    assert by_project["将被删除的项目"].kind == "-"
    assert [f.old for f in by_project["将被删除的项目"].budget.fields][:2] == ["50.00", "50.00"]
    assert by_project["新增项目"].kind == "+" and by_project["新增项目"].project.kind == "+"
    assert since.listing.projects_total == 3 and since.listing.projects_more == 0
    [figure] = since.listing.figures
    assert figure.change.kind == "+" and "京蒙协作资金" in figure.label
    assert [f.new for f in figure.change.fields] == ["812.50"]


def test_a_budget_moved_to_another_year_since_the_approval_is_listed(budget, staff, liaison):
    year = budget.plan_year
    _approved(year, staff, liaison)
    year_reopen(plan_year=year, user=liaison, reason="年度填错")
    budget_update(budget=budget, user=staff, year=2022)
    since = _since(year)
    [moved] = since.listing.projects
    assert [(f.old, f.new) for f in moved.budget.fields if f.name == "plan_year"] == [("2021", "2022")]
    assert [(t.before, t.after) for t in since.totals][0] == (1, 0)


def test_the_listing_is_capped_and_says_how_many_more(plan, budget, staff, liaison, monkeypatch):
    monkeypatch.setattr(changes, "LIMIT", 3)
    year = budget.plan_year
    budgets = [BudgetFactory(project=ProjectFactory(plan=plan)) for _ in range(5)]
    _approved(year, staff, liaison)
    year_reopen(plan_year=year, user=liaison, reason="调整")
    for b in budgets:
        budget_update(budget=b, user=staff, local_funds=Decimal("699"))
    since = _since(year)
    assert len(since.listing.projects) == 3 and since.listing.projects_total == 5
    assert since.listing.projects_more == 2
    assert [p.project_id for p in since.listing.projects] == [b.project_id for b in reversed(budgets)][:3]


def _import(plan, tmp_path, user, name="附表2021.xlsx"):
    rows = [project_row(1, "道路项目", 2021, "基础设施类", 100, 60, 40),
            project_row(2, "培训项目", 2021, "人才培训类", 20, 20, 0, unit="旗教育局"),
            project_row(3, "明年的项目", 2022, "基础设施类", 10, 10, 0)]
    path = write_xlsx(tmp_path / "annex.xlsx", {"2021年": annex_sheet(2021, rows[:2]), "2022年": annex_sheet(2022, rows[2:])})
    with open(path, "rb") as handle:
        batch = batch_create(plan=plan, uploads=[(name, handle)], user=user)
    batch_run(batch.pk, dry_run=True)
    batch_run(batch.pk, dry_run=False)
    batch.refresh_from_db()
    assert batch.status == "imported"
    return batch


@pytest.mark.django_db
def test_first_review_names_the_import_batch_and_counts_the_hand_edits(plan, tmp_path, staff, member):
    importer = UserFactory(username="importer", first_name="导入员")
    membership_set(plan=plan, member=importer, role="admin", user=SYSTEM)
    batch = _import(plan, tmp_path, importer)
    year = PlanYear.objects.get(plan=plan, year=2021)
    road = AnnualBudget.objects.get(project__name="道路项目")
    budget_update(budget=road, user=staff, beijing_funds=Decimal("65"), local_funds=Decimal("35"))
    budget_update(budget=AnnualBudget.objects.get(pk=road.pk), user=staff, beijing_funds=Decimal("70"),
                  local_funds=Decimal("30"))
    other = member("staff", first_name="王五")
    project_update(project=AnnualBudget.objects.get(project__name="培训项目").project, user=other,
                   description="补充说明")

    found = origin(year)
    [source] = found.batches
    assert source.batch == batch and source.label == "附表2021.xlsx" and source.who == "导入员"
    assert source.when == batch.finished_at
    assert (source.budgets, source.projects) == (2, 2)  # this year's rows only: not 2022's
    assert found.manual.edits == 3 and found.manual.records == 2
    assert {(e.name, e.edits) for e in found.editors} == {("县办", 2), ("王五", 1)}
    # the hand-edited records, from before the first hand edit (as imported) → now; no imported row listed
    by_project = {p.name: p for p in found.listing.projects}
    assert set(by_project) == {"道路项目", "培训项目"}
    assert [(f.old, f.new) for f in by_project["道路项目"].budget.fields] == [("60.00", "70.00"), ("40.00", "30.00")]
    assert by_project["培训项目"].budget is None
    assert [(f.old, f.new) for f in by_project["培训项目"].project.fields] == [("—", "补充说明")]


@pytest.mark.django_db
def test_first_review_without_hand_edits_says_the_figures_are_as_imported(plan, tmp_path):
    _import(plan, tmp_path, SYSTEM)
    found = origin(PlanYear.objects.get(plan=plan, year=2021))
    assert found.batches[0].who == "系统（随附数据或命令行）"
    assert found.manual.edits == 0 and not found.listing.projects


def test_first_review_of_figures_entered_by_hand(plan, staff):
    year = PlanYear.objects.get(plan=plan, year=2021)
    budget_create(project=ProjectFactory(plan=plan), year=2021, user=staff, beijing_funds=Decimal("5"))
    found = origin(year)
    assert found.batches == [] and found.manual.created == 1 and found.manual.edits == 1
    assert found.listing.projects[0].kind == "+"
