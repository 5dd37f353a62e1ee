"""Layout variants import; every kind of error leaves the database as it was; warnings are reported."""

from decimal import Decimal

import pytest

from funding.models import AnnualBudget
from projects.models import ImplementingUnit, Project
from tests.importers.helpers import ANNEX_HEADER, annex_sheet, codes, project_row, run_import, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Project.objects.count(), AnnualBudget.objects.count(), ImplementingUnit.objects.count(),
        list(AnnualBudget.objects.order_by("id").values_list("beijing_funds", flat=True)),
    )


def test_reordered_columns_and_several_years_in_one_sheet(plan, tmp_path):
    order = [11, 1, 4, 5, 9, 8, 7, 3, 0, 2, 6, 10]  # unit first, amounts shuffled
    rows = [
        project_row(1, "科右中旗嘎查环境整治项目", 2022, "乡村振兴类", 100, 60, 40, place="科右中旗各苏木镇"),
        project_row(2, "科右中旗嘎查环境整治项目", 2023, "乡村振兴类", 200, 150, 50, nature="续建",
                    place="科右中旗各苏木镇"),
        project_row(3, "科右中旗肉牛改良项目", 2023, "产业合作类", 300, 300, None),
    ]
    shuffled = [[row[i] for i in order] for row in [ANNEX_HEADER, *rows]]
    path = write_xlsx(tmp_path / "mixed.xlsx", {"项目": [["2022—2023年项目表"], *shuffled]})
    report = run_import(plan, path)
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert (report.projects.created, report.budgets.created) == (2, 3)
    project = Project.objects.get(name="科右中旗嘎查环境整治项目")
    amounts = list(project.budgets.order_by("plan_year__year").values_list("plan_year__year", "beijing_funds",
                                                                          "local_funds"))
    assert amounts == [(2022, Decimal("60"), Decimal("40")), (2023, Decimal("150"), Decimal("50"))]
    assert AnnualBudget.objects.get(project__name="科右中旗肉牛改良项目").local_funds == 0  # blank is zero


def test_numbers_stored_as_text(plan, tmp_path):
    rows = [project_row(1, "文本金额项目", 2021, "基础设施类", "1,500.5", " 800.25 ", "７００．２５")]
    report = run_import(plan, write_xlsx(tmp_path / "t.xlsx", {"2021年": annex_sheet(2021, rows)}))
    assert not report.rejected, [m.text("en") for m in report.errors]
    budget = AnnualBudget.objects.get()
    assert (budget.total_investment, budget.beijing_funds, budget.local_funds) == (
        Decimal("1500.5"), Decimal("800.25"), Decimal("700.25"))


def test_year_from_the_sheet_when_the_column_is_blank(plan, tmp_path):
    rows = [project_row(1, "无年度项目", None, "基础设施类", 10, 10, 0)]
    report = run_import(plan, write_xlsx(tmp_path / "y.xlsx", {"2024年": annex_sheet(2024, rows, title=False)}))
    assert not report.rejected
    assert AnnualBudget.objects.get().year == 2024


def test_category_from_the_subtotal_row_when_the_column_is_missing(plan, tmp_path):
    header = [h for h in ANNEX_HEADER if h != "项目类别"]
    rows = [header, ["基础设施类1个", None, None, None, None, None, 10, 10, 0],
            [1, "只有小计的项目", "新建", "科右中旗", 2021, "内容", 10, 10, 0, "用途", "旗农科局"]]
    report = run_import(plan, write_xlsx(tmp_path / "c.xlsx", {"2021年": rows}))
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert Project.objects.get().category.name_zh == "基础设施类"


def test_csv_in_gb18030(plan, tmp_path):
    rows = [ANNEX_HEADER, project_row(1, "CSV项目", 2025, "社会事业类", 50, 50, 0)]
    report = run_import(plan, write_csv(tmp_path / "annex.csv", rows, encoding="gb18030"))
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert Project.objects.get().name == "CSV项目"


@pytest.mark.parametrize(
    "row, code, column",
    [
        (project_row(1, None, 2021, "基础设施类", 10, 10, 0), "missing_name", "项目名称"),
        (project_row(1, "坏金额", 2021, "基础设施类", "十万", 10, 0), "bad_amount", "项目总投资（万元）"),
        (project_row(1, "负金额", 2021, "基础设施类", 10, -5, 0), "negative_amount", "京蒙资金"),
        (project_row(1, "年份外", 2027, "基础设施类", 10, 10, 0), "year_outside_plan", "实施年度"),
        (project_row(1, "未知类别", 2021, "宇宙探索类", 10, 10, 0), "unknown_category", "项目类别"),
    ],
)
def test_each_error_rejects_the_file_and_writes_nothing(plan, project, tmp_path, row, code, column):
    before = _snapshot()
    good = project_row(2, "好项目", 2021, "基础设施类", 1, 1, 0)
    path = write_xlsx(tmp_path / "bad.xlsx", {"2021年": annex_sheet(2021, [good, row])})
    report = run_import(plan, path)
    assert report.rejected and codes(report) == [code]
    error = report.errors[0]
    assert (error.sheet, error.row, error.column) == ("2021年", 5, column)
    assert error.text("zh") != error.text("en") and error.text("en")
    assert _snapshot() == before


def test_the_same_row_twice_is_an_error_naming_both_rows(plan, tmp_path):
    row = project_row(1, "重复项目", 2021, "基础设施类", 10, 10, 0, unit="科右中旗农科局")
    twin = project_row(2, "重复项目", 2021, "基础设施类", 20, 20, 0, unit="旗农科局")  # same unit, other spelling
    report = run_import(plan, write_xlsx(tmp_path / "d.xlsx", {"2021年": annex_sheet(2021, [row, twin])}))
    assert codes(report) == ["duplicate_row"]
    assert report.errors[0].row == 5 and report.errors[0].params["first_row"] == 4
    assert Project.objects.count() == 0


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 not a sheet", bytes(range(256)) * 40, b"PK\x03\x04broken"])
def test_unreadable_files_are_rejected(plan, tmp_path, content):
    path = tmp_path / "annex.xlsx"
    path.write_bytes(content)
    report = run_import(plan, path)
    assert report.rejected and codes(report)[0] == "unreadable"
    assert report.errors[0].sheet == "annex.xlsx" and report.errors[0].text("zh")
    assert Project.objects.count() == 0


def test_a_sheet_without_a_table_is_rejected_when_nothing_else_is_there(plan, tmp_path):
    report = run_import(plan, write_xlsx(tmp_path / "n.xlsx", {"说明": [["这是一份说明"], ["没有表格"]]}))
    assert codes(report) == ["no_header"]


def test_warnings_import_and_are_reported(plan, tmp_path):
    rows = [
        project_row(1, "总额不符", 2022, "基础设施类", 100, 60, 30),
        project_row(2, "续建无前年", 2022, "基础设施类", 10, 10, 0, nature="续建"),
    ]
    report = run_import(plan, write_xlsx(tmp_path / "w.xlsx", {"2022年": annex_sheet(2022, rows)}))
    assert not report.rejected
    assert set(codes(report, "warnings")) == {"total_mismatch", "new_unit", "continued_without_earlier_year"}
    mismatch = next(m for m in report.warnings if m.code == "total_mismatch")
    assert "100 ≠" in mismatch.text("zh") and "Total investment 100" in mismatch.text("en")
    assert AnnualBudget.objects.count() == 2


def test_dry_run_reports_but_writes_nothing(plan, tmp_path):
    rows = [project_row(1, "预览项目", 2021, "基础设施类", 10, 10, 0)]
    report = run_import(plan, write_xlsx(tmp_path / "p.xlsx", {"2021年": annex_sheet(2021, rows)}), dry_run=True)
    assert (report.projects.created, report.budgets.created, report.imported) == (1, 1, False)
    assert Project.objects.count() == 0 and ImplementingUnit.objects.count() == 0
