"""The flat export: one row per budget under headers the annex importer recognises.

One code path for every door that exports a list of budgets: the project list page
(xlsx, csv), `manage.py export_annex --flat`, and the administration's export
(funding.resources). It streams: openpyxl's write-only mode sends each row to a
temporary file as it is appended and budgets are read with ``.iterator()``, so
memory does not grow with the number of rows. Text cells can never start a
formula (planportal.lib.safe_cells); CSV cells carry the Decimals' own digits.
"""

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO

from django.db import connections, router, transaction
from django.utils import translation
from django.db.models import Case, F, IntegerField, QuerySet, When
from django.db.models.functions import Cast
from openpyxl import Workbook

from funding.models import AnnualBudget
from planportal.lib.safe_cells import safe_text
from planportal.lib.xlsx_cells import BOLD, HEADER_ALIGN, WRAP, XlsxCells, new_sheet
from projects.models import Project

FLAT_HEADERS = (
    "计划代码", "实施年度", "序号", "项目名称", "建设性质", "项目建设地点", "项目类别",
    "建设规模和建设内容", "项目总投资", "京蒙资金", "地方自筹资金", "京蒙资金实际拨付",
    "地方自筹实际拨付", "京蒙协作资金主要用途", "项目实施单位", "苏木镇", "嘎查", "项目状态",
)
FLAT_WIDTHS = (22, 8, 6, 28, 8, 20, 12, 60, 13, 13, 13, 13, 13, 36, 20, 14, 14, 12)
FLAT_AMOUNT_COLUMNS = frozenset(range(8, 13))  # 0-based: 项目总投资 … 地方自筹实际拨付
CHUNK_SIZE = 2000


@cache
def status_words() -> dict:
    """The Chinese words of the project statuses, as the annex writes them (importers.parsing.STATUSES reads
    them back). Built on first use: translations are ready only once the apps are."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in Project.Status.choices}

# A serial number sorts (and is written) as a number only when it is plain ASCII
# digits; 9 digits at most so the database cast can never overflow an integer.
_SERIAL_DIGITS = r"^[0-9]{1,9}$"
SERIAL_NUMBER = Case(
    When(serial_no__regex=_SERIAL_DIGITS, then=Cast("serial_no", IntegerField())),
    default=None,
    output_field=IntegerField(),
)
# Annex order: category order, then serial (numbers first, numerically), then id.
ANNEX_ORDER = (
    "project__category__order",
    "project__category_id",
    F("serial_number").asc(nulls_last=True),
    "serial_no",
    "id",
)


def serial_value(serial_no: str) -> int | str:
    """序号 as written: a number when it is plain digits (the same rule the database sorts by)."""
    return int(serial_no) if re.fullmatch(_SERIAL_DIGITS, serial_no) else serial_no


@contextmanager
def snapshot(model):
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
    Status is written as the annex's own Chinese word (计划, 实施中, 已完成, 已取消) whatever the
    reader's language, like the headers; the importer reads these words back.
    """
    budgets = _budgets_of(queryset).select_related(
        "plan_year__plan", "project__category", "project__unit", "project__township", "project__village"
    )
    if not budgets.query.order_by:
        budgets = budgets.annotate(serial_number=SERIAL_NUMBER).order_by(
            "plan_year__plan__code", "plan_year__year", *ANNEX_ORDER
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
            status_words().get(project.status, project.status),
        ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return str(value)  # int, or Decimal with its exact digits


def flat_text_cell(value) -> str:
    """One flat-export value as a text cell, exactly as flat_export_csv writes it ("" for None, quoted text)."""
    return _csv_cell(value)


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
    sheet = new_sheet(workbook, "项目清单", FLAT_WIDTHS, freeze="A2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(header, font=BOLD, alignment=HEADER_ALIGN) for header in FLAT_HEADERS])
    count = 0
    # One query, so one consistent view: no snapshot needed here.
    for values in flat_export_rows(queryset):
        sheet.append([
            cells.number(value) if index in FLAT_AMOUNT_COLUMNS else cells.value(value, alignment=WRAP)
            for index, value in enumerate(values)
        ])
        count += 1
    workbook.save(out)
    return count
