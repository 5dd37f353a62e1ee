"""A plan with an annex imported (the budgets payments are matched to), and disbursement sheets written with
openpyxl in the layouts finance bureaus use."""

import datetime
from pathlib import Path

from openpyxl import Workbook

from importers.disbursements import disbursement_import
from importers.services import ImportFile
from plans.access import SYSTEM
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx

# Two projects of the same name in 2023 at different places and units, one programme recurring each year.
ANNEX_2023 = [
    project_row(1, "肉牛改良项目", 2023, "产业合作类", 300, 200, 100, place="巴彦呼舒镇", unit="旗农科局"),
    project_row(2, "肉牛改良项目", 2023, "产业合作类", 150, 100, 50, place="好腰苏木", unit="好腰苏木人民政府"),
    project_row(3, "嘎查道路硬化工程", 2023, "基础设施类", 500, 400, 100, place="代钦塔拉苏木", unit="旗交通局"),
]
ANNEX_2024 = [
    project_row(1, "嘎查道路硬化工程", 2024, "基础设施类", 600, 500, 100, place="代钦塔拉苏木", unit="旗交通局"),
]

# Layout A: title, unit line in 万元, header with 项目序号 … 记账凭证号, one source per column.
HEADER_A = ["项目序号", "项目名称", "建设地点", "实施单位", "实施年度", "京蒙协作资金拨付（万元）", "地方配套拨付（万元）",
            "拨付日期", "记账凭证号"]


def sheet_a(rows, *, title="科右中旗2023年京蒙协作资金拨付明细表", unit="单位：万元"):
    return [[title], [None] * 8 + [unit], HEADER_A, *rows]


def row_a(serial, name, year, beijing, local, date, voucher, *, place="", unit=""):
    return [serial, name, place, unit, year, beijing, local, date, voucher]


# Layout B: amounts in 元 (said by the unit line), other column names and order, no serial, no year column.
HEADER_B = ["凭证编号", "支付日期", "项目名称", "项目建设地点", "项目实施单位", "京蒙资金支出", "地方自筹拨付"]


def sheet_b(rows, *, unit="金额单位：元"):
    return [["京蒙协作资金支出台账"], [unit], [], HEADER_B, *rows]


def write_sheets(path: Path, sheets: dict) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def import_annex(plan, tmp_path):
    path = write_xlsx(tmp_path / "annex.xlsx", {"2023年": annex_sheet(2023, ANNEX_2023),
                                                "2024年": annex_sheet(2024, ANNEX_2024)})
    report = run_import(plan, path)
    assert not report.rejected, [m.text("en") for m in report.errors]
    return report


def run(plan, *paths, dry_run=False, user=SYSTEM, batch=None):
    files = [ImportFile(path=Path(p), name=Path(p).name) for p in paths]
    return disbursement_import(plan=plan, files=files, user=user, dry_run=dry_run, batch=batch)


def errors(report):
    return [(m.code, m.sheet, m.row, m.column) for m in report.errors]


def day(text):
    return datetime.date.fromisoformat(text)
