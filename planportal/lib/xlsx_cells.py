"""Typed cells for openpyxl write-only sheets: text never becomes a formula, amounts stay exact.

Amounts in XLSX cells. A cell holds an IEEE double, so an amount is written as an
int when whole, else as ``float(amount)``. That is exact for the product's amounts:
an amount below 10**11 万元 with at most 4 decimals has at most 15 significant
digits, and any decimal of ≤ 15 significant digits survives decimal → double →
shortest repr unchanged. openpyxl writes the double as "%.16g", which parses back
to the same double, so ``planportal.lib.numbers.parse_amount`` (which reads floats
through ``repr``) gives back the exact Decimal. tests/test_exporting.py proves it
for tricky values, through both openpyxl and python-calamine.

Pure module: openpyxl, no Django.
"""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from planportal.lib.safe_cells import xlsx_text

AMOUNT_FORMAT = "#,##0.00"
BOLD = Font(bold=True)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def cell_number(amount: Decimal | None) -> int | float | None:
    """A Decimal 万元 as an XLSX cell stores it: int when whole, else float (see the module doc)."""
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


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


def new_sheet(workbook: Workbook, title: str, widths: tuple[int, ...], freeze: str):
    sheet = workbook.create_sheet(title)
    # Column widths and panes must be set before the first row is written.
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = freeze
    return sheet
