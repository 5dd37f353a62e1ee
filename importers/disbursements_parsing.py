"""Reading a finance bureau's disbursement sheet row by row: one payment per row.

The sheet names each payment's project (annex serial number, name, place, unit), year, amounts per source,
date and voucher number, in columns found by their header text (importers.layout.DISBURSEMENT_COLUMNS):
the header row may be anywhere in the first rows, under merged titles. Amounts are in 万元 unless the
column's header or the sheet's unit line says 元 (单位：元), in which case they are converted exactly
(whole yuan; a fraction of a yuan is refused, never rounded). The annex's SheetParser lends its cell rules:
a formula or a merged area in an amount cell is refused, merged names and places are filled in.
Matching rows to budgets is importers.disbursements' (it needs the database).
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from importers.layout import (
    DISBURSEMENT_AMOUNT_FIELDS,
    DISBURSEMENT_COLUMNS,
    Header,
    find_header,
    text_cells,
    year_in_text,
)
from importers.messages import ERROR, Message
from importers.parsing import SheetParser, _normalized, _text
from planportal.lib.numbers import AmountError, parse_amount

YUAN, WAN = Decimal(1), Decimal(10000)
VOUCHER_MAX = 60  # funding.models.Disbursement.voucher_no
_UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]?\s*(万元|元)")
_YUAN_LABEL = re.compile(r"[(（]\s*(?:单位\s*[:：]?\s*)?元\s*[)）]|\s元$")
_WAN_LABEL = re.compile(r"万元")
_DATE_TEXT = re.compile(r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel day numbers a payment date may have: 1990-01-01 to 2099-12-31.
_SERIAL_RANGE = (32874, 73050)
_COLUMNS = {column.field: column for column in DISBURSEMENT_COLUMNS}


class DateError(ValueError):
    pass


def parse_date(value) -> datetime.date | None:
    """A date cell: an Excel date, an Excel day number, or text 2023-05-06, 2023/5/6, 2023.05.06, 2023年5月6日,
    20230506. None when blank; DateError when it is not a real date."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise DateError(value)
    if isinstance(value, (int, float, Decimal)):
        if float(value).is_integer() and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        if float(value).is_integer():
            return parse_date(str(int(value)))
        raise DateError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if match is None:
        raise DateError(value)
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DateError(value) from None


@dataclass(slots=True)
class DisbursementRow:
    sheet: str
    row: int
    serial: str
    name: str
    location: str
    unit_spelling: str
    key: tuple  # (name key, location key, unit key); "" where the sheet does not say
    year: int
    paid_on: datetime.date
    voucher: str
    beijing: Decimal
    local: Decimal
    labels: dict  # field → the header text of its column (shared by the rows of a table), for messages

    def column(self, field: str) -> str:
        return " ".join((self.labels.get(field) or _COLUMNS[field].label).split())


def column_scale(label: str, sheet_scale: Decimal) -> Decimal:
    """元 or 万元 for one amount column: its header says, else the sheet's unit line."""
    if _WAN_LABEL.search(label):
        return WAN
    if _YUAN_LABEL.search(label):
        return YUAN
    return sheet_scale


def unit_of_line(texts) -> Decimal | None:
    for _index, text in texts:
        found = _UNIT_LINE.search("".join(text.split()))
        if found:
            return WAN if found[1] == "万元" else YUAN
    return None


class DisbursementSheetParser(SheetParser):
    """Yields DisbursementRow and Message; `found_table` says whether a header was found."""

    columns = _COLUMNS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet_scale = WAN
        self.scales: dict = {}
        self.found_table = False
        self._limits.update(voucher=VOUCHER_MAX, date=100)

    def parse(self, rows: Iterable[tuple]) -> Iterator:
        started = False
        for number, cells in enumerate(rows, start=1):
            if not cells:
                continue
            texts = text_cells(cells)
            if not texts:
                continue
            if self._merges:
                cells, notes = self._unmerge(number, cells)
                if notes:
                    yield from notes
                    texts = text_cells(cells)
            header = find_header(number, cells, disbursements=True) if any(
                type(v) is str and "名称" in v for v in cells) else None
            if header is not None:
                self.table = None
                yield from self._open(header)
                started = False
                continue
            if self.table is None or not started:
                # Title lines above the header, and a unit line just below it.
                scale = unit_of_line(texts) if len(texts) <= 3 else None
                if scale is not None:
                    self.sheet_scale = scale
                    if self.table is not None:
                        self._set_scales(self.table.header)
                    continue
                if self.table is None:
                    if len(texts) <= 2:
                        self.title_year = self._title_year(texts) or self.title_year
                    continue
            started = True
            yield from self._payment(number, cells, texts)

    def _title_year(self, texts):
        return year_in_text(" ".join(t for _i, t in texts))

    def _open(self, header: Header) -> Iterator[Message]:
        self._start_table(header)
        self.found_table = True
        self._set_scales(header)
        for field in ("date", "voucher"):
            if not header.has(field):
                yield Message(ERROR, "missing_column", self.sheet, header.row, "", {"column": _COLUMNS[field].label})

    def _set_scales(self, header: Header) -> None:
        self.scales = {field: column_scale(header.labels[field], self.sheet_scale)
                       for field in DISBURSEMENT_AMOUNT_FIELDS if header.has(field)}

    # --- one payment ----------------------------------------------------------
    def _paid(self, cells, field, row, errors) -> Decimal:
        if not self.table.header.has(field):
            return Decimal(0)
        index = self.table.header.columns[field]
        if (self.marks.formulas or self._active) and self._marked(row, index, field, errors):
            return Decimal(0)
        value = self._cell(cells, field)
        scale = self.scales.get(field, WAN)
        if isinstance(value, str):
            text = "".join(value.split())
            if text.endswith(("万元", "万")):  # a unit typed in the cell wins
                scale, value = WAN, text
            elif text.endswith("元"):
                scale, value = YUAN, text[:-1]
        try:
            amount = parse_amount(value)
        except AmountError as exc:
            if scale == YUAN:
                errors.append(self._message(ERROR, "yuan_amount", row, field, value=_text(value, False)[:30]))
            else:
                errors.append(self._message(ERROR, "bad_amount", row, field, detail=exc.message("zh"),
                                            detail_en=exc.message("en")))
            return Decimal(0)
        if amount is None:
            return Decimal(0)
        if amount < 0:
            errors.append(self._message(ERROR, "negative_amount", row, field, value=_text(value, False)))
            return Decimal(0)
        if scale == YUAN:
            if amount != amount.to_integral_value():
                errors.append(self._message(ERROR, "yuan_fraction", row, field, value=_text(value, False)))
                return Decimal(0)
            amount = amount / WAN  # exact: whole yuan are at most 4 decimals of 万元
        return amount

    def _payment(self, number: int, cells: tuple, texts) -> Iterator:
        if len(texts) == 1 and texts[0][1].strip().startswith(("单位", "金额单位", "合计", "总计")):
            return
        cells = self._padded(cells)
        errors: list[Message] = []
        warnings: list[Message] = []
        name = _text(self._cell(cells, "name"), self.from_csv)
        serial = _text(self._cell(cells, "serial"), False)
        label = name or next((t for _i, t in texts), "")
        if not serial and ("合计" in label or "总计" in label or "小计" in label):
            return  # a total line of the sheet: the import sums the rows itself
        beijing = self._paid(cells, "beijing", number, errors)
        local = self._paid(cells, "local", number, errors)
        if not name and not serial:
            if beijing or local:
                errors.append(self._message(ERROR, "missing_name", number, "name"))
            yield from errors
            return
        location = _text(self._cell(cells, "location"), self.from_csv)
        unit_spelling = _text(self._cell(cells, "unit"), self.from_csv)
        voucher = " ".join(_text(self._cell(cells, "voucher"), self.from_csv).split())
        paid_on = self._date(cells, number, errors)
        if self.table.header.has("voucher") and not voucher:
            errors.append(self._message(ERROR, "missing_voucher", number, "voucher"))
        for field, text in (("name", name), ("location", location), ("unit", unit_spelling), ("serial", serial),
                            ("voucher", voucher)):
            self._too_long(text, field, number, errors)
        if not errors and not (beijing > 0 or local > 0):
            errors.append(self._message(ERROR, "no_payment", number,
                                        "beijing" if self.table.header.has("beijing") else "local"))
        year = self._payment_year(cells, number, paid_on, errors, warnings)
        yield from errors
        yield from warnings
        if errors or paid_on is None:
            return
        yield DisbursementRow(
            sheet=self.sheet, row=number, serial=serial, name=name, location=location, unit_spelling=unit_spelling,
            key=(_normalized(name), _normalized(location), self.context.unit_key(unit_spelling) if unit_spelling
                 else ""),
            year=year, paid_on=paid_on, voucher=voucher, beijing=beijing, local=local,
            labels=self.table.header.labels,
        )

    def _date(self, cells, number, errors) -> datetime.date | None:
        if not self.table.header.has("date"):
            return None
        value = self._cell(cells, "date")
        try:
            paid_on = parse_date(value)
        except DateError:
            errors.append(self._message(ERROR, "bad_date", number, "date", value=_text(value, False)[:30]))
            return None
        if paid_on is None:
            errors.append(self._message(ERROR, "missing_date", number, "date"))
        return paid_on

    def _payment_year(self, cells, number, paid_on, errors, warnings) -> int | None:
        """The 年度 column, else the table title's year, else the year of the payment date."""
        blank = not _text(self._cell(cells, "year"), False)
        if blank and self.table.year is None and paid_on is not None:
            year = paid_on.year
            if not self.context.first_year <= year <= self.context.last_year:
                errors.append(self._message(ERROR, "year_outside_plan", number, "date", year=year,
                                            first=self.context.first_year, last=self.context.last_year))
            return year
        if blank and self.table.year is None:
            return None  # no date either: that error is said already
        return self._year(cells, number, errors, warnings)
