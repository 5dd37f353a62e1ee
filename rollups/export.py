"""The totals matrix and the disagreement list as xlsx, streamed (openpyxl write-only)."""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from planportal.lib.xlsx_cells import XlsxCells
from rollups.sentences import METRIC_NAMES, sentence

BOLD = Font(bold=True)


def matrix_xlsx(*, plan, matrix: dict, out, lang: str = "zh") -> None:
    """One sheet per metric: categories × years, computed, and each stated figure with its difference."""
    workbook = Workbook(write_only=True)
    for metric, grid in matrix["metrics"].items():
        sheet = workbook.create_sheet(METRIC_NAMES[metric][0 if not lang.startswith("en") else 1][:31])
        cells = XlsxCells(sheet)
        header = ["类别" if not lang.startswith("en") else "Category"]
        for year in matrix["columns"]:
            label = str(year) if year else ("全期" if not lang.startswith("en") else "All years")
            header += [label, f"{label} 附表", f"{label} 规划正文", f"{label} 差"]
        sheet.append([cells.text(h, font=BOLD) for h in header])
        for row in grid:
            line = [cells.text(row["label"], font=BOLD if row["total"] else None)]
            for cell in row["cells"]:
                line += [
                    cells.number(cell["computed"], amount=metric != "projects"),
                    cells.number(cell["annex"], amount=metric != "projects"),
                    cells.number(cell["narrative"], amount=metric != "projects"),
                    cells.number(cell["worst_difference"], amount=metric != "projects"),
                ]
            sheet.append(line)
    workbook.save(out)


def variances_xlsx(*, variances, out, lang: str = "zh") -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("差异" if not lang.startswith("en") else "Disagreements")
    cells = XlsxCells(sheet)
    en = lang.startswith("en")
    heads = (["Year", "Category", "Check", "Status", "Metric", "Stated", "Computed", "Difference", "What", "Source"]
             if en else ["年度", "类别", "检查", "状态", "指标", "表列数", "计算数", "差", "说明", "出处"])
    sheet.append([cells.text(h, font=BOLD) for h in heads])
    for v in variances:
        sheet.append([
            cells.number(v.year, amount=False), cells.text(v.category.name_zh if v.category_id else ""),
            cells.text(v.get_kind_display()), cells.text(v.get_status_display()),
            cells.text(METRIC_NAMES.get(v.metric, (v.metric, v.metric))[1 if en else 0]),
            cells.number(_d(v.stated)), cells.number(_d(v.computed)), cells.number(_d(v.difference)),
            cells.text(sentence(v, lang)), cells.text(v.source),
        ])
    workbook.save(out)


def _d(value):
    return None if value is None else Decimal(value)
