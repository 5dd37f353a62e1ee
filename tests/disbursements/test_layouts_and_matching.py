"""Disbursement sheets in different layouts, matched to the annex's budgets by serial number or by name, place
and unit; the budgets' disbursed figures become the sums."""

import datetime
from decimal import Decimal

import pytest

from funding.models import AnnualBudget, Disbursement
from tests.disbursements.helpers import errors, import_annex, row_a, run, sheet_a, sheet_b, write_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def annexed(plan, tmp_path):
    import_annex(plan, tmp_path)
    return plan


def _budget(plan, name, year, place=None):
    budgets = AnnualBudget.objects.filter(project__plan=plan, project__name=name, plan_year__year=year)
    if place:
        budgets = budgets.filter(project__location_text=place)
    return budgets.get()


def test_layout_a_in_wanyuan_matched_by_serial(annexed, tmp_path):
    path = write_sheets(tmp_path / "pay.xlsx", {"拨付": sheet_a([
        row_a(1, "肉牛改良项目", 2023, 50, 10, datetime.datetime(2023, 5, 6), "记-0012"),
        row_a(1, "肉牛改良项目", 2023, "25.5", None, "2023/6/1", "记-0040"),
        row_a(3, "嘎查道路硬化工程", 2023, 120.25, 0, "2023年7月3日", "记-0041"),
    ])})
    report = run(annexed, path)
    assert not report.rejected, errors(report)
    assert report.imported and report.rows_read == 3
    assert report.disbursements.created == 3
    first = _budget(annexed, "肉牛改良项目", 2023, "巴彦呼舒镇")
    assert (first.actual_beijing_funds, first.actual_local_funds) == (Decimal("75.5"), Decimal("10"))
    road = _budget(annexed, "嘎查道路硬化工程", 2023)
    assert road.actual_beijing_funds == Decimal("120.25") and road.actual_local_funds == Decimal("0")
    assert sorted(Disbursement.objects.values_list("paid_on", flat=True)) == [
        datetime.date(2023, 5, 6), datetime.date(2023, 6, 1), datetime.date(2023, 7, 3)]
    assert report.file_beijing == Decimal("195.75") and report.file_local == Decimal("10")


def test_layout_b_in_yuan_matched_by_name_place_and_unit(annexed, tmp_path):
    path = write_sheets(tmp_path / "yuan.xlsx", {"Sheet1": sheet_b([
        ["记-7", "2023.05.06", "肉牛改良项目", "好腰苏木", "好腰苏木政府", 125000, 3456],
        ["记-8", "2024-03-02", "嘎查道路硬化工程", "代钦塔 拉苏木", "科右中旗交通局", "1,000,000", None],
    ])})
    report = run(annexed, path)
    assert not report.rejected, errors(report)
    second = _budget(annexed, "肉牛改良项目", 2023, "好腰苏木")
    assert second.actual_beijing_funds == Decimal("12.5") and second.actual_local_funds == Decimal("0.3456")
    road_2024 = _budget(annexed, "嘎查道路硬化工程", 2024)  # no year column: the year of the payment date
    assert road_2024.actual_beijing_funds == Decimal("100")


def test_header_below_merged_titles_yuan_in_the_header_and_csv(annexed, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    sheet.append(["科右中旗财政局"])
    sheet.append(["2023年度京蒙协作资金拨付明细"])
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("A2:G2")
    sheet.append([])
    sheet.append(["序号", "项目名称", "拨付年度", "京蒙资金实际拨付（元）", "地方自筹资金拨付（元）", "日期", "凭证号"])
    sheet.append([3, "嘎查道路硬化工程", "2023年", 800000, "20,000", "2023-08-09", "财-101"])
    sheet.append([None, "合计", None, 800000, 20000, None, None])  # a total line is not a payment
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    report = run(annexed, path)
    assert not report.rejected, errors(report)
    assert report.rows_read == 1
    road = _budget(annexed, "嘎查道路硬化工程", 2023)
    assert (road.actual_beijing_funds, road.actual_local_funds) == (Decimal("80"), Decimal("2"))

    csv_path = tmp_path / "pay.csv"
    csv_path.write_text("凭证号,拨付日期,年度,项目名称,京蒙资金拨付,地方自筹拨付\n"
                        "财-102,20230910,2023,嘎查道路硬化工程,1.5,\n", encoding="utf-8-sig")
    report = run(annexed, csv_path)
    assert not report.rejected, errors(report)
    road.refresh_from_db()
    assert road.actual_beijing_funds == Decimal("81.5")
    assert Disbursement.objects.get(voucher_no="财-102").paid_on == datetime.date(2023, 9, 10)


def test_every_date_form(annexed, tmp_path):
    forms = [datetime.date(2023, 5, 6), "2023-05-06", "2023/5/6", "2023.05.06", "2023年5月6日", 45052]
    rows = [row_a(3, "嘎查道路硬化工程", 2023, 1, 0, form, f"v-{n}") for n, form in enumerate(forms)]
    report = run(annexed, write_sheets(tmp_path / "dates.xlsx", {"s": sheet_a(rows)}))
    assert not report.rejected, errors(report)
    assert set(Disbursement.objects.values_list("paid_on", flat=True)) == {datetime.date(2023, 5, 6)}


def test_a_serial_that_names_another_project_falls_back_to_the_name_with_a_warning(annexed, tmp_path):
    rows = [row_a(2, "嘎查道路硬化工程", 2023, 5, 0, "2023-05-06", "v-1")]
    report = run(annexed, write_sheets(tmp_path / "s.xlsx", {"s": sheet_a(rows)}))
    assert not report.rejected, errors(report)
    assert [(m.code, m.row, m.column) for m in report.warnings] == [("serial_name_differs", 4, "项目序号")]
    assert _budget(annexed, "嘎查道路硬化工程", 2023).actual_beijing_funds == Decimal("5")


def test_the_preview_writes_nothing_and_counts_what_the_import_does(annexed, tmp_path):
    path = write_sheets(tmp_path / "p.xlsx", {"s": sheet_a([row_a(3, "嘎查道路硬化工程", 2023, 5, 1, "2023-05-06", "v")])})
    preview = run(annexed, path, dry_run=True)
    assert not preview.rejected and not preview.imported
    assert preview.disbursements.created == 1 and preview.budgets_changed == 1
    assert preview.projects_list == [{
        "project": "嘎查道路硬化工程", "year": 2023, "serial": "3", "created": 1, "updated": 0, "unchanged": 0,
        "kept": 0, "beijing_before": "", "beijing_after": "5.00", "local_before": "", "local_after": "1.00"}]
    assert not Disbursement.objects.exists()
    assert _budget(annexed, "嘎查道路硬化工程", 2023).actual_beijing_funds is None
