"""Export a plan's budgets as spreadsheets: the annex layout, and a flat list.

* ``annex_export`` writes the plan document's annex (附表): one sheet per year with a
  title, "单位：万元", the twelve annex headers, the 合计 row, then per category a
  subtotal row followed by its project rows.
* ``flat_export_csv`` / ``flat_export_xlsx`` write one row per budget (any filtered
  list) under headers the annex importer recognises, with a 实施年度 column so
  several years share one sheet.

Both stream: openpyxl's write-only mode sends each row to a temporary file as it
is appended and budgets are read with ``.iterator()``, so memory does not grow
with the number of rows, and the number of queries is constant per year.

Amounts in XLSX cells. A cell holds an IEEE double, so an amount is written as an
int when whole, else as ``float(amount)``. That is exact for the product's amounts:
an amount below 10**11 万元 with at most 4 decimals has at most 15 significant
digits, and any decimal of ≤ 15 significant digits survives decimal → double →
shortest repr unchanged. openpyxl writes the double as "%.16g", which parses back
to the same double, so ``planportal.lib.numbers.parse_amount`` (which reads floats
through ``repr``) gives back the exact Decimal. tests/test_exporting.py proves it
for tricky values, through both openpyxl and python-calamine. CSV cells carry the
Decimal's own digits.
"""

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO

from django.db import connections, router, transaction
from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, When
from django.db.models.functions import Cast
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from funding.models import AnnualBudget
from planportal.lib.safe_cells import safe_text, xlsx_text
from projects.models import Project

ANNEX_HEADERS = (
    "序号", "项目名称", "建设性质（新建/续建/扩建）", "项目建设地点", "实施年度", "项目类别",
    "建设规模和建设内容", "项目总投资（万元）", "京蒙资金（万元）", "地方自筹资金（万元）",
    "京蒙协作资金主要用途", "项目实施单位",
)
ANNEX_WIDTHS = (6, 28, 10, 20, 8, 12, 60, 13, 13, 13, 36, 20)
# Columns A:G of a 合计/subtotal row hold one merged label; H, I, J its sums.
ANNEX_LABEL_COLUMNS = 7
ANNEX_FIRST_DATA_ROW = 4  # title, unit, header above it

FLAT_HEADERS = (
    "计划代码", "实施年度", "序号", "项目名称", "建设性质", "项目建设地点", "项目类别",
    "建设规模和建设内容", "项目总投资", "京蒙资金", "地方自筹资金", "京蒙资金实际拨付",
    "地方自筹实际拨付", "京蒙协作资金主要用途", "项目实施单位", "苏木镇", "嘎查", "项目状态",
)
FLAT_WIDTHS = (22, 8, 6, 28, 8, 20, 12, 60, 13, 13, 13, 13, 13, 36, 20, 14, 14, 12)
FLAT_AMOUNT_COLUMNS = frozenset(range(8, 13))  # 0-based: 项目总投资 … 地方自筹实际拨付

UNIT_TEXT = "单位：万元"
AMOUNT_FORMAT = "#,##0.00"
AMOUNT_FIELDS = ("total_investment", "beijing_funds", "local_funds")
CHUNK_SIZE = 2000

# A serial number sorts (and is written) as a number only when it is plain ASCII
# digits; 9 digits at most so the database cast can never overflow an integer.
_SERIAL_DIGITS = r"^[0-9]{1,9}$"
_SERIAL_NUMBER = Case(
    When(serial_no__regex=_SERIAL_DIGITS, then=Cast("serial_no", IntegerField())),
    default=None,
    output_field=IntegerField(),
)
# Annex order: category order, then serial (numbers first, numerically), then id.
_ANNEX_ORDER = (
    "project__category__order",
    "project__category_id",
    F("serial_number").asc(nulls_last=True),
    "serial_no",
    "id",
)

_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
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


def cell_number(amount: Decimal | None) -> int | float | None:
    """A Decimal 万元 as an XLSX cell stores it: int when whole, else float (see the module doc)."""
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def serial_value(serial_no: str) -> int | str:
    """序号 as written: a number when it is plain digits (the same rule the database sorts by)."""
    return int(serial_no) if re.fullmatch(_SERIAL_DIGITS, serial_no) else serial_no


@contextmanager
def _snapshot(model):
    """One consistent view of the data for the whole export.

    The 合计/subtotal query and the row query run one after the other; without a
    snapshot a concurrent edit between them would make the sums disagree with the
    rows below them, a disagreement the document never had. SQLite holds its read
    lock for the transaction; PostgreSQL needs REPEATABLE READ, which can only be
    set as a transaction's first statement, so an enclosing transaction is used as it is.
    """
    connection = connections[router.db_for_read(model)]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class XlsxCells:
    """Typed, styled cells for one write-only sheet."""

    def __init__(self, sheet):
        self.sheet = sheet

    def text(self, value: str | None, *, font=None, alignment=None):
        """A string cell, whatever the text starts with: never a formula ("=…") nor an error ("#N/A")."""
        if value is None or value == "":
            return None
        cell = WriteOnlyCell(self.sheet, value=xlsx_text(value))
        cell.data_type = "s"  # openpyxl guessed "f" for "=…" and "e" for "#N/A" while assigning
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def number(self, value: int | Decimal | None, *, font=None, amount: bool = True):
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=cell_number(value) if isinstance(value, Decimal) else value)
        if amount:
            cell.number_format = AMOUNT_FORMAT
        if font is not None:
            cell.font = font
        return cell

    def value(self, value, **style):
        return self.text(value, **style) if isinstance(value, str) else self.number(value, amount=False)


def _new_sheet(workbook: Workbook, title: str, widths: tuple[int, ...], freeze: str):
    sheet = workbook.create_sheet(title)
    # Column widths and panes must be set before the first row is written.
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = freeze
    return sheet


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
    amounts = [cells.number(sums[name], font=_BOLD) for name in AMOUNT_FIELDS]
    return [cells.text(label, font=_BOLD), *[None] * (ANNEX_LABEL_COLUMNS - 1), *amounts]


def _annex_project_row(cells: XlsxCells, budget: AnnualBudget, year: int) -> list:
    project = budget.project
    texts = {"alignment": _WRAP}
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
    sheet = _new_sheet(workbook, f"{year}年", ANNEX_WIDTHS, freeze=f"A{ANNEX_FIRST_DATA_ROW}")
    cells = XlsxCells(sheet)
    last_column = get_column_letter(len(ANNEX_HEADERS))
    sheet.merged_cells.add(f"A1:{last_column}1")
    sheet.append([cells.text(annex_title(plan, year), font=_TITLE_FONT, alignment=Alignment(horizontal="center"))])
    sheet.append([None] * (len(ANNEX_HEADERS) - 1) + [cells.text(UNIT_TEXT, alignment=_RIGHT)])
    sheet.append([cells.text(header, font=_BOLD, alignment=_HEADER_ALIGN) for header in ANNEX_HEADERS])

    budgets = AnnualBudget.objects.for_plan(plan).in_year(year)
    by_category = _year_sums(budgets)
    total = _summed(by_category.values())
    row_number = ANNEX_FIRST_DATA_ROW
    sheet.append(_sum_row(cells, row_number, f"{plan.county}合计{total['projects']}个", total))

    rows = budgets.select_related("project__category", "project__unit").annotate(serial_number=_SERIAL_NUMBER)
    current_category = None
    for budget in rows.order_by(*_ANNEX_ORDER).iterator(chunk_size=CHUNK_SIZE):
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
    with _snapshot(AnnualBudget):
        for year in plan.years:
            years[year] = _write_annex_sheet(workbook, plan, year)
    workbook.save(out)
    return {
        "sheets": [summary["sheet"] for summary in years.values()],
        "rows": sum(summary["projects"] for summary in years.values()),
        "years": years,
    }


def _budgets_of(queryset: QuerySet) -> QuerySet:
    """Budgets for a budget queryset as given, or for every budget of a project queryset."""
    if queryset.model is Project:
        return AnnualBudget.objects.filter(project__in=queryset.order_by().values("pk"))
    return queryset


def flat_export_rows(queryset: QuerySet) -> Iterator[list]:
    """One list of values per budget, in FLAT_HEADERS order, streamed from the database.

    `queryset` is an AnnualBudget queryset (e.g. a filtered admin list) or a Project
    queryset (all budgets of those projects). An explicit order_by() on it is kept;
    otherwise rows come in annex order: plan, year, category, serial number, id.
    Values keep their types: int, Decimal (万元, exact), None for "not reported", str.
    Status is the stored code (planned, in_progress …), which does not change with the language.
    """
    budgets = _budgets_of(queryset).select_related(
        "plan_year__plan", "project__category", "project__unit", "project__township", "project__village"
    )
    if not budgets.query.order_by:
        budgets = budgets.annotate(serial_number=_SERIAL_NUMBER).order_by(
            "plan_year__plan__code", "plan_year__year", *_ANNEX_ORDER
        )
    for budget in budgets.iterator(chunk_size=CHUNK_SIZE):
        project = budget.project
        yield [
            budget.plan_year.plan.code,
            budget.plan_year.year,
            serial_value(budget.serial_no),
            project.name,
            budget.nature or project.nature,
            project.location_text,
            project.category.name_zh,
            budget.scale_and_content,
            budget.total_investment,
            budget.beijing_funds,
            budget.local_funds,
            budget.actual_beijing_funds,
            budget.actual_local_funds,
            budget.beijing_funds_use,
            project.unit.name if project.unit else "",
            project.township.name if project.township else "",
            project.village.name if project.village else "",
            project.status,
        ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return str(value)  # int, or Decimal with its exact digits


def flat_export_csv(*, queryset: QuerySet, out_text_stream: IO[str]) -> int:
    """Write the flat list as CSV to a text stream; returns the number of budget rows.

    UTF-8 with a BOM, so Excel on Chinese Windows reads it as UTF-8: open the stream
    with encoding="utf-8" and newline="" (the csv module writes its own line ends).
    Every text cell goes through safe_text; amounts are the Decimals' own digits.
    """
    out_text_stream.write("\ufeff")
    writer = csv.writer(out_text_stream)
    writer.writerow(FLAT_HEADERS)
    count = 0
    for values in flat_export_rows(queryset):
        writer.writerow([_csv_cell(value) for value in values])
        count += 1
    return count


def flat_export_xlsx(*, queryset: QuerySet, out: str | IO[bytes]) -> int:
    """Write the flat list as one XLSX sheet to `out` (a path or a binary file object); returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, "项目清单", FLAT_WIDTHS, freeze="A2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(header, font=_BOLD, alignment=_HEADER_ALIGN) for header in FLAT_HEADERS])
    count = 0
    # One query, so one consistent view: no snapshot needed here.
    for values in flat_export_rows(queryset):
        sheet.append([
            cells.number(value) if index in FLAT_AMOUNT_COLUMNS else cells.value(value, alignment=_WRAP)
            for index, value in enumerate(values)
        ])
        count += 1
    workbook.save(out)
    return count
