"""Rules on single cells the corpus does not show: formulas in the year column, text longer than its
column, merged areas above the table, dates with a time."""

import datetime

import pytest
from openpyxl import Workbook

from projects.models import Project
from tests.importers.helpers import annex_sheet, codes, project_row, run_import

pytestmark = pytest.mark.django_db


def workbook(path, rows, *, merges=(), cells=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "2021年"
    for row in rows:
        ws.append(row)
    for ref, value in (cells or {}).items():
        ws[ref] = value
    for area in merges:
        ws.merge_cells(area)
    wb.save(path)
    return path


def test_a_formula_in_the_year_column_is_refused(plan, tmp_path):
    rows = annex_sheet(2021, [project_row(1, "公式年度", None, "基础设施类", 1, 1, 0)])
    report = run_import(plan, workbook(tmp_path / "y.xlsx", rows, cells={"E4": "=2020+1"}))
    assert codes(report) == ["formula_in_year"]
    error = report.errors[0]
    assert (error.row, error.column, error.params["cell"]) == (4, "实施年度", "E4")
    assert "E4" in error.text("zh") and "E4" in error.text("en") and Project.objects.count() == 0


def test_a_name_longer_than_its_column_is_refused_not_cut(plan, tmp_path):
    rows = annex_sheet(2021, [project_row(1, "项" * 301, 2021, "基础设施类", 1, 1, 0),
                              project_row(2, "项" * 300, 2021, "基础设施类", 1, 1, 0)])
    report = run_import(plan, workbook(tmp_path / "n.xlsx", rows))
    assert codes(report) == ["text_too_long"]
    error = report.errors[0]
    assert (error.row, error.column, error.params) == (4, "项目名称", {"length": 301, "limit": 300})
    assert "301" in error.text("zh") and "300" in error.text("en")


def test_merged_areas_above_and_in_the_header_change_nothing(plan, tmp_path):
    rows = annex_sheet(2021, [project_row(1, "标题合并", 2021, "基础设施类", 1, 1, 0),
                              project_row(2, "表头合并", 2021, "基础设施类", 2, 2, 0)])
    # the title over the table, the unit line, and a header cell merged down over the first data row
    # (a reader sees that row's 京蒙资金 as part of the header: blank, like calamine)
    path = workbook(tmp_path / "t.xlsx", rows, merges=["A1:L1", "K2:L2", "I3:I4"])
    report = run_import(plan, path)
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert codes(report, "warnings") == ["total_mismatch", "new_unit"]  # row 4: 1 ≠ 0 + 0, as a reader sees it


def test_a_datetime_in_the_year_column_is_its_year(plan, tmp_path):
    rows = annex_sheet(2021, [project_row(1, "日期年度", datetime.datetime(2022, 3, 1, 9, 30), "基础设施类", 1, 1, 0)])
    report = run_import(plan, workbook(tmp_path / "d.xlsx", rows))
    assert not report.rejected
    warning = next(m for m in report.warnings if m.code == "year_from_date")
    assert warning.params == {"value": "2022-03-01 09:30:00", "year": 2022}
    assert Project.objects.get().budgets.get().plan_year.year == 2022
