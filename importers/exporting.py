"""Export a plan's budgets in the annex layout (附表), the shape the importer reads back.

``annex_export`` writes one sheet per year with a title, "单位：万元", the twelve
annex headers, the 合计 row, then per category a subtotal row followed by its
project rows. It streams (openpyxl write-only, budgets read with ``.iterator()``)
and costs a constant number of queries per year. The flat list (one row per
budget) is funding.export; amounts are written as planportal.lib.xlsx_cells explains.
"""

from decimal import Decimal
from typing import IO

from django.db.models import Count, QuerySet, Sum
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from funding.export import ANNEX_ORDER, CHUNK_SIZE, SERIAL_NUMBER, serial_value, snapshot
from funding.models import AnnualBudget
from planportal.lib.xlsx_cells import BOLD, HEADER_ALIGN, WRAP, XlsxCells, new_sheet

ANNEX_HEADERS = (
    "序号", "项目名称", "建设性质（新建/续建/扩建）", "项目建设地点", "实施年度", "项目类别",
    "建设规模和建设内容", "项目总投资（万元）", "京蒙资金（万元）", "地方自筹资金（万元）",
    "京蒙协作资金主要用途", "项目实施单位",
)
ANNEX_WIDTHS = (6, 28, 10, 20, 8, 12, 60, 13, 13, 13, 36, 20)
# Columns A:G of a 合计/subtotal row hold one merged label; H, I, J its sums.
ANNEX_LABEL_COLUMNS = 7
ANNEX_FIRST_DATA_ROW = 4  # title, unit, header above it

UNIT_TEXT = "单位：万元"
AMOUNT_FIELDS = ("total_investment", "beijing_funds", "local_funds")
_TITLE_FONT = Font(bold=True, size=14)
_RIGHT = Alignment(horizontal="right")


def five_year_plan_label(first_year: int, last_year: int) -> str:
    """“十四五” for a plan within 2021–2025, “十五五” within 2026–2030 …; "" when it spans two periods."""
    # The 3rd five-year plan ran 1966–1970 (after the 1963–1965 adjustment years); every
    # period since is five years long. Earlier plans get no label rather than a wrong one.
    number = (first_year - 1966) // 5 + 3
    if first_year < 1966 or (last_year - 1966) // 5 + 3 != number:
        return ""
    digits = "一二三四五六七八九"
    tens, ones = divmod(number, 10)
    text = ("" if tens < 2 else digits[tens - 1]) + ("十" if tens else "") + (digits[ones - 1] if ones else "")
    return f"“{text}五”"


def annex_title(plan, year: int) -> str:
    """"科右中旗2021年“十四五”京蒙帮扶协作需求统计表", from the plan's banner and years."""
    return f"{plan.county}{year}年{five_year_plan_label(plan.first_year, plan.last_year)}京蒙帮扶协作需求统计表"


def _year_sums(budgets: QuerySet) -> dict[int, dict]:
    """{category id: {"projects", "total_investment", "beijing_funds", "local_funds"}}: one GROUP BY query.

    The database adds integer yuan, so every sum is exact.
    """
    rows = (
        budgets.order_by()
        .values("project__category")
        .annotate(projects=Count("id"), **{name: Sum(name) for name in AMOUNT_FIELDS})
    )
    return {row.pop("project__category"): row for row in rows}


def _summed(groups) -> dict:
    """The 合计 of the per-category sums (Decimal addition of database sums: exact)."""
    total = {"projects": 0, **{name: Decimal(0) for name in AMOUNT_FIELDS}}
    for group in groups:
        for key in total:
            total[key] += group[key]
    return total


def _sum_row(cells: XlsxCells, row_number: int, label: str, sums: dict) -> list:
    """A 合计 or subtotal row: the label merged over A:G, the three sums in H:J."""
    cells.sheet.merged_cells.add(f"A{row_number}:{get_column_letter(ANNEX_LABEL_COLUMNS)}{row_number}")
    amounts = [cells.number(sums[name], font=BOLD) for name in AMOUNT_FIELDS]
    return [cells.text(label, font=BOLD), *[None] * (ANNEX_LABEL_COLUMNS - 1), *amounts]


def _annex_project_row(cells: XlsxCells, budget: AnnualBudget, year: int) -> list:
    project = budget.project
    texts = {"alignment": WRAP}
    return [
        cells.value(serial_value(budget.serial_no), **texts),
        cells.text(project.name, **texts),
        cells.text(budget.nature or project.nature, **texts),
        cells.text(project.location_text, **texts),
        cells.number(year, amount=False),
        cells.text(project.category.name_zh, **texts),
        cells.text(budget.scale_and_content, **texts),
        *[cells.number(getattr(budget, name)) for name in AMOUNT_FIELDS],
        cells.text(budget.beijing_funds_use, **texts),
        cells.text(project.unit.name if project.unit else "", **texts),
    ]


def _write_annex_sheet(workbook: Workbook, plan, year: int) -> dict:
    sheet = new_sheet(workbook, f"{year}年", ANNEX_WIDTHS, freeze=f"A{ANNEX_FIRST_DATA_ROW}")
    cells = XlsxCells(sheet)
    last_column = get_column_letter(len(ANNEX_HEADERS))
    sheet.merged_cells.add(f"A1:{last_column}1")
    sheet.append([cells.text(annex_title(plan, year), font=_TITLE_FONT, alignment=Alignment(horizontal="center"))])
    sheet.append([None] * (len(ANNEX_HEADERS) - 1) + [cells.text(UNIT_TEXT, alignment=_RIGHT)])
    sheet.append([cells.text(header, font=BOLD, alignment=HEADER_ALIGN) for header in ANNEX_HEADERS])

    budgets = AnnualBudget.objects.for_plan(plan).in_year(year)
    by_category = _year_sums(budgets)
    total = _summed(by_category.values())
    row_number = ANNEX_FIRST_DATA_ROW
    sheet.append(_sum_row(cells, row_number, f"{plan.county}合计{total['projects']}个", total))

    rows = budgets.select_related("project__category", "project__unit").annotate(serial_number=SERIAL_NUMBER)
    current_category = None
    for budget in rows.order_by(*ANNEX_ORDER).iterator(chunk_size=CHUNK_SIZE):
        category = budget.project.category
        if category.pk != current_category:
            current_category = category.pk
            sums = by_category[category.pk]
            row_number += 1
            sheet.append(_sum_row(cells, row_number, f"{category.name_zh}{sums['projects']}个", sums))
        row_number += 1
        sheet.append(_annex_project_row(cells, budget, year))
    return {"sheet": sheet.title, **total}


def annex_export(*, plan, out: str | IO[bytes]) -> dict:
    """Write the plan's annex, one sheet per plan year, to `out` (a path or a binary file object).

    Every year of the plan gets its sheet; a year without budgets shows a 合计 row
    of zeros, so the file always says which years the plan has. Returns
    {"sheets": ["2021年", …], "rows": project rows written,
     "years": {2021: {"sheet", "projects", "total_investment", "beijing_funds", "local_funds"}, …}}.
    """
    workbook = Workbook(write_only=True)
    years = {}
    with snapshot(AnnualBudget):
        for year in plan.years:
            years[year] = _write_annex_sheet(workbook, plan, year)
    workbook.save(out)
    return {
        "sheets": [summary["sheet"] for summary in years.values()],
        "rows": sum(summary["projects"] for summary in years.values()),
        "years": years,
    }
