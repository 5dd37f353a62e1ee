"""Building annex workbooks and CSV files in tests, and importing them."""

import csv
from pathlib import Path

from openpyxl import Workbook

from plans.access import SYSTEM
from importers.services import ImportFile, annex_import

ANNEX_HEADER = [
    "序号", "项目名称", "建设\n性质（新建/续建）", "项目建设地点", "实施年度", "项目类别", "建设规模和建设内容",
    "项目总投资（万元）", "京蒙资金", "地方自筹资金", "京蒙协作资金主要用途", "项目实施单位",
]


def project_row(serial, name, year, category, total, beijing, local, *, nature="新建", place="科右中旗",
                unit="旗农科局", content="建设内容", use="用途"):
    return [serial, name, nature, place, year, category, content, total, beijing, local, use, unit]


def write_xlsx(path: Path, sheets: dict) -> Path:
    """sheets: name → list of rows (lists)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def annex_sheet(year, rows, *, title=True):
    out = []
    if title:
        out += [[f"科右中旗{year}年“十四五”京蒙帮扶协作需求统计表"], [None] * 11 + ["单位：万元"]]
    return out + [ANNEX_HEADER] + rows


def write_csv(path: Path, rows, encoding="utf-8-sig") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def run_import(plan, *paths, dry_run=False, user=SYSTEM, batch=None):
    files = [ImportFile(path=Path(p), name=Path(p).name) for p in paths]
    return annex_import(plan=plan, files=files, dry_run=dry_run, user=user, batch=batch)


def codes(report, level="errors"):
    return [m.code for m in getattr(report, level)]
