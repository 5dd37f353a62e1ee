"""An approved year is locked for everyone until reopened; a save over a newer save is refused."""

from decimal import Decimal

import pytest

from funding.models import AnnualBudget
from funding.services import budget_create, budget_delete, budget_update
from planportal.concurrency import StaleEdit
from plans.models import PlanYear
from plans.locks import YearLocked
from projects.models import Project
from projects.services import project_update
from tests.importers.helpers import annex_sheet, codes, project_row, run_import, write_xlsx
from plans.access import SYSTEM


def _approve(plan, year):
    PlanYear.objects.filter(plan=plan, year=year).update(review_status=PlanYear.Review.APPROVED)


@pytest.mark.django_db
def test_budgets_of_an_approved_year_cannot_change(budget):
    _approve(budget.project.plan, 2021)
    with pytest.raises(YearLocked, match="2021"):
        budget_update(budget=budget, beijing_funds=Decimal("1"), user=SYSTEM)
    with pytest.raises(YearLocked):
        budget_create(project=budget.project, year=2021, user=SYSTEM)
    with pytest.raises(YearLocked):
        budget_delete(budget=budget, user=SYSTEM)
    with pytest.raises(YearLocked):
        budget_update(budget=budget, year=2022, user=SYSTEM)  # nor be moved out of it
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.year) == (Decimal("800"), 2021)
    # Other years stay open.
    assert budget_create(project=budget.project, year=2022, beijing_funds=Decimal("5"), user=SYSTEM).year == 2022


@pytest.mark.django_db
def test_a_project_with_an_approved_year_is_locked(budget):
    _approve(budget.project.plan, 2021)
    with pytest.raises(YearLocked):
        project_update(project=budget.project, name="改名", user=SYSTEM)


@pytest.mark.django_db
def test_an_import_cannot_change_an_approved_year(plan, tmp_path):
    _approve(plan, 2021)
    rows = [project_row(1, "锁定年度项目", 2021, "基础设施类", 10, 10, 0)]
    report = run_import(plan, write_xlsx(tmp_path / "l.xlsx", {"2021年": annex_sheet(2021, rows)}))
    assert codes(report) == ["year_locked"] and report.errors[0].column == "实施年度"
    assert not AnnualBudget.objects.exists()


@pytest.mark.django_db
def test_an_import_cannot_move_an_approved_project_to_another_category(plan, tmp_path):
    # 2021 imported and approved; then a file holding only a 2022 row of the same project in another category.
    rows_2021 = [project_row(1, "肉牛改良项目", 2021, "基础设施类", 10, 10, 0)]
    assert not run_import(plan, write_xlsx(tmp_path / "a.xlsx", {"2021年": annex_sheet(2021, rows_2021)})).rejected
    _approve(plan, 2021)
    rows_2022 = [project_row(1, "肉牛改良项目", 2022, "产业合作类", 20, 20, 0)]
    report = run_import(plan, write_xlsx(tmp_path / "b.xlsx", {"2022年": annex_sheet(2022, rows_2022)}))
    assert codes(report) == ["project_locked"] and report.rejected and not report.imported
    assert "2021" in report.errors[0].text("en") and report.errors[0].row is not None
    assert report.projects.updated == 0 and report.budgets.created == 0  # nothing is reported as done …
    project = Project.objects.get()
    assert project.category.name_zh == "基础设施类"  # … and nothing was written
    assert list(AnnualBudget.objects.values_list("plan_year__year", flat=True)) == [2021]


@pytest.mark.django_db
def test_an_approved_year_may_be_imported_again_as_it_is(plan, tmp_path):
    rows = [project_row(1, "肉牛改良项目", 2021, "基础设施类", 10, 10, 0)]
    path = write_xlsx(tmp_path / "a.xlsx", {"2021年": annex_sheet(2021, rows)})
    assert not run_import(plan, path).rejected
    _approve(plan, 2021)
    again = run_import(plan, path)
    assert not again.rejected and again.budgets.unchanged == 1
    changed = [project_row(1, "肉牛改良项目", 2021, "基础设施类", 10, 9, 1)]
    report = run_import(plan, write_xlsx(tmp_path / "c.xlsx", {"2021年": annex_sheet(2021, changed)}))
    # One refusal per changed value, naming it old → new.
    assert codes(report) == ["locked_value", "locked_value"]
    assert [m.params["field"] for m in report.errors] == ["京蒙资金", "地方自筹资金"]
    assert "“10.00”改为“9.00”" in report.errors[0].text("zh")
    assert "from “0.00” to “1.00”" in report.errors[1].text("en")
    assert AnnualBudget.objects.get().beijing_funds == Decimal("10")


@pytest.mark.django_db
def test_the_second_of_two_concurrent_saves_is_refused(budget):
    started_from = budget.version
    first_editor = AnnualBudget.objects.get(pk=budget.pk)
    second_editor = AnnualBudget.objects.get(pk=budget.pk)
    budget_update(budget=first_editor, expected_version=started_from, beijing_funds=Decimal("801"), user=SYSTEM)
    with pytest.raises(StaleEdit) as refused:
        budget_update(budget=second_editor, expected_version=started_from, beijing_funds=Decimal("799"), user=SYSTEM)
    assert refused.value.current.beijing_funds == Decimal("801")  # what the other person saved
    budget.refresh_from_db()
    assert budget.beijing_funds == Decimal("801") and budget.version == started_from + 1


@pytest.mark.django_db
def test_concurrent_project_saves(project):
    version = project.version
    project_update(project=project, expected_version=version, name="甲的名字", user=SYSTEM)
    with pytest.raises(StaleEdit):
        project_update(project=project, expected_version=version, name="乙的名字", user=SYSTEM)
