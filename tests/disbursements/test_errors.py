"""Every kind of error in a disbursement file is located (sheet, row, column) and says what to fix; one error
and nothing of the file is written."""

import pytest

from funding.models import AnnualBudget, Disbursement
from plans.models import PlanYear
from tests.disbursements.helpers import errors, import_annex, row_a, run, sheet_a, sheet_b, write_sheets

pytestmark = pytest.mark.django_db

GOOD = row_a(3, "嘎查道路硬化工程", 2023, 10, 0, "2023-05-06", "ok-1")


@pytest.fixture
def annexed(plan, tmp_path):
    import_annex(plan, tmp_path)
    return plan


def _refused(plan, tmp_path, rows, sheets=None):
    path = write_sheets(tmp_path / "bad.xlsx", sheets or {"拨付": sheet_a([GOOD, *rows])})
    report = run(plan, path)
    assert report.rejected and not report.imported
    assert not Disbursement.objects.exists()  # the good row is not written either
    assert not AnnualBudget.objects.filter(actual_beijing_funds__isnull=False).exists()
    return report


@pytest.mark.parametrize("row, expected", [
    # No such project in that year.
    (row_a("", "不存在的项目", 2023, 1, 0, "2023-05-06", "a"), ("project_not_found", "拨付", 5, "项目名称")),
    # Two projects of that name in 2023, and the sheet says neither place nor unit.
    (row_a("", "肉牛改良项目", 2023, 1, 0, "2023-05-06", "a"), ("project_ambiguous", "拨付", 5, "项目名称")),
    # Serial 3 is the road; the name is of neither road nor any single project.
    (row_a(3, "肉牛改良项目", 2023, 1, 0, "2023-05-06", "a"), ("project_ambiguous", "拨付", 5, "项目名称")),
    (row_a(3, "不存在的项目", 2023, 1, 0, "2023-05-06", "a"), ("serial_mismatch", "拨付", 5, "项目序号")),
    (row_a(3, "嘎查道路硬化工程", 2019, 1, 0, "2019-05-06", "a"), ("year_outside_plan", "拨付", 5, "实施年度")),
    (row_a(3, "嘎查道路硬化工程", 2023, -5, 0, "2023-05-06", "a"),
     ("negative_amount", "拨付", 5, "京蒙协作资金拨付（万元）")),
    (row_a(3, "嘎查道路硬化工程", 2023, "十万", 0, "2023-05-06", "a"),
     ("bad_amount", "拨付", 5, "京蒙协作资金拨付（万元）")),
    (row_a(3, "嘎查道路硬化工程", 2023, 0, None, "2023-05-06", "a"),
     ("no_payment", "拨付", 5, "京蒙协作资金拨付（万元）")),
    (row_a(3, "嘎查道路硬化工程", 2023, 1, 0, "2023-02-30", "a"), ("bad_date", "拨付", 5, "拨付日期")),
    (row_a(3, "嘎查道路硬化工程", 2023, 1, 0, None, "a"), ("missing_date", "拨付", 5, "拨付日期")),
    (row_a(3, "嘎查道路硬化工程", 2023, 1, 0, "2023-05-06", ""), ("missing_voucher", "拨付", 5, "记账凭证号")),
    # The same voucher for the same project with another amount.
    (row_a(3, "嘎查道路硬化工程", 2023, 11, 0, "2023-05-06", "ok-1"), ("voucher_conflict", "拨付", 5, "记账凭证号")),
])
def test_each_error_is_located(annexed, tmp_path, row, expected):
    report = _refused(annexed, tmp_path, [row])
    assert errors(report) == [expected]
    message = report.errors[0]
    assert message.text("en") and message.text("zh") and message.where("en").startswith("sheet “拨付”, row 5")


def test_a_fraction_of_a_yuan_is_refused_not_rounded(annexed, tmp_path):
    rows = [["v-1", "2023-05-06", "嘎查道路硬化工程", "代钦塔拉苏木", "旗交通局", 1234.56, None]]
    report = _refused(annexed, tmp_path, [], sheets={"元": sheet_b(rows)})
    assert errors(report) == [("yuan_fraction", "元", 5, "京蒙资金支出")]
    assert "1234.56" in report.errors[0].text("en")


def test_an_unknown_unit_is_unmatched_and_the_message_names_place_and_unit(annexed, tmp_path):
    rows = [["v-1", "2023-05-06", "肉牛改良项目", "好腰苏木", "旗水利局", 1000, None]]
    report = _refused(annexed, tmp_path, [], sheets={"元": sheet_b(rows)})
    assert errors(report) == [("project_not_found", "元", 5, "项目名称")]
    assert "旗水利局" in report.errors[0].text("en") and "好腰苏木" in report.errors[0].text("zh")


def test_a_locked_year_refuses_a_new_payment(annexed, tmp_path):
    PlanYear.objects.filter(plan=annexed, year=2023).update(review_status=PlanYear.Review.APPROVED)
    report = _refused(annexed, tmp_path, [])
    assert errors(report) == [("disbursement_locked", "拨付", 4, "记账凭证号")]
    assert "2023 has been approved and is locked" in report.errors[0].text("en")


def test_a_sheet_without_voucher_or_date_columns_is_refused_at_its_header(annexed, tmp_path):
    sheet = [["项目名称", "建设地点", "实施年度", "京蒙资金"], ["嘎查道路硬化工程", "代钦塔拉苏木", 2023, 10]]
    report = _refused(annexed, tmp_path, [], sheets={"附表": sheet})
    assert [(c, r) for c, _s, r, _col in errors(report)][:2] == [("missing_column", 1), ("missing_column", 1)]


def test_a_file_without_any_disbursement_header(annexed, tmp_path):
    report = _refused(annexed, tmp_path, [], sheets={"s": [["随便写的"], ["没有表头"]]})
    assert [e[0] for e in errors(report)] == ["no_disbursement_header"]


def test_an_identical_repeated_row_is_counted_once(annexed, tmp_path):
    path = write_sheets(tmp_path / "twice.xlsx", {"拨付": sheet_a([GOOD, GOOD])})
    report = run(annexed, path)
    assert not report.rejected and report.repeated == 1
    assert [(m.code, m.row) for m in report.warnings] == [("voucher_repeated", 5)]
    assert Disbursement.objects.count() == 1
