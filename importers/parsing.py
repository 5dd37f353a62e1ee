"""Reading an annex sheet row by row into project rows, stated rows and messages.

Pure module (no Django): the caller passes what it knows of the plan in a
ParseContext and gets back a stream of ProjectRow / StatedRow / Message.
"""

import datetime
import enum
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from importers.layout import AMOUNT_FIELDS, COLUMN_BY_FIELD, Header, find_header, text_cells, year_in_text
from importers.messages import ERROR, WARNING, Message
from importers.reading import NO_MARKS, Marks
from planportal.lib.names import (
    category_key,
    normalize_text,
    split_grand_total_label,
    split_subtotal_label,
    unit_key,
)

# Names, places and units repeat from row to row and year to year: normalise each once.
_normalized = functools.lru_cache(maxsize=65536)(normalize_text)
_category_key = functools.lru_cache(maxsize=1024)(category_key)

from planportal.lib.numbers import AmountError, CellValueError, parse_amount, parse_year
from funding.checks import budget_checks
from planportal.lib.safe_cells import unescape_text

NATURES = ("新建", "续建", "扩建")
# The annex column a funding.checks warning is about.
CHECKED_COLUMNS = {"total_investment": "total", "actual_beijing_funds": "actual_beijing",
                   "actual_local_funds": "actual_local"}
STATUSES = {
    "planned": "planned", "计划": "planned", "计划中": "planned", "未开工": "planned",
    "in_progress": "in_progress", "在建": "in_progress", "实施中": "in_progress", "进行中": "in_progress",
    "completed": "completed", "已完成": "completed", "完成": "completed", "竣工": "completed", "已竣工": "completed",
    "cancelled": "cancelled", "已取消": "cancelled", "取消": "cancelled",
}
# Cells whose value is a sum of money: a formula or a merged area there is refused (see SheetParser).
MONEY_FIELDS = (*AMOUNT_FIELDS, "actual_beijing", "actual_local")
# Text longer than its column holds is refused, not cut. The defaults are the models' (services
# passes them from the models); any other text stops at Excel's own limit for one cell.
MAX_LENGTHS = {"name": 300, "unit": 200, "serial": 20, "label": 200}
EXCEL_CELL_CHARS = 32767
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# A subtotal or 合计 row carries a label and amounts (and, in the document, a stray "0" in
# other cells): a place, a year or a nature filled in means a project row instead.
_IDENTITY_FIELDS = ("location", "year", "nature")
class _Absent(enum.Enum):
    """A column the file does not have: leave the stored value alone. An enum, so it survives pickling."""

    ABSENT = "absent"


ABSENT = _Absent.ABSENT


@dataclass
class ParseContext:
    first_year: int
    last_year: int
    categories: dict  # category_key → (category id, name)
    # The plan's one unit-spelling rule (projects.services.unit_key_function): spelling → matching key.
    unit_key: Callable[[str], str] = unit_key
    max_lengths: dict = field(default_factory=lambda: dict(MAX_LENGTHS))


@dataclass(slots=True)
class ProjectRow:
    sheet: str
    row: int
    name: str
    location: str
    unit_spelling: str
    key: tuple  # (name key, location key, unit key)
    year: int
    category_id: int
    nature: str
    serial: str
    content: str
    use: str
    total: Decimal
    beijing: Decimal
    local: Decimal
    actual_beijing: object = ABSENT
    actual_local: object = ABSENT
    status: object = ABSENT


@dataclass(slots=True)
class StatedRow:
    sheet: str
    row: int
    kind: str  # "total" | "subtotal"
    label: str
    category_id: int | None
    year: int | None
    count: int | None
    total: Decimal | None
    beijing: Decimal | None
    local: Decimal | None


@dataclass
class _Table:
    header: Header
    year: int | None
    subtotal: tuple | None = None  # (category id, label) of the subtotal row above
    pending: list = field(default_factory=list)  # stated rows waiting for the table's year


def _cell_name(row: int, index: int) -> str:
    """"H5" for spreadsheet row 5, column index 7."""
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _text(value, from_csv: bool) -> str:
    if value is None:
        return ""
    if type(value) is str and not from_csv:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return unescape_text(text) if from_csv else text


class SheetParser:
    """`marks` (importers.reading.Marks) say which cells hold formulas and which are merged:

    * a formula in an amount or year cell is refused: calamine hands over its saved result
      (or a blank when it has none), a number nobody typed;
    * a merged area below the header that covers an amount cell is refused: the amount sits
      in its first cell and the other rows would read 0;
    * a merged area over rows of another column (a unit, a category, a place written once
      for several projects) gives each of its rows the value a reader sees there, with a warning.
    """

    def __init__(self, context: ParseContext, sheet_name: str, *, from_csv: bool = False, marks: Marks = NO_MARKS):
        self.context = context
        self.sheet = sheet_name
        self.from_csv = from_csv
        self.sheet_year = year_in_text(sheet_name)
        self.title_year: int | None = None
        self.table: _Table | None = None
        self.known = "、".join(name for _id, name in context.categories.values())
        self.marks = marks
        self._limits = {f: context.max_lengths.get(f, EXCEL_CELL_CHARS)
                        for f in ("name", "location", "unit", "serial", "content", "use", "label")}
        self._merges = marks.merges  # sorted by first row
        self._next_merge = 0
        self._active: list = []  # merged areas over the current row
        self._tops: dict = {}  # merged area → the value of its first cell
        self._reported: set = set()  # merged areas already reported

    # --- helpers -------------------------------------------------------------
    def _cell(self, cells: tuple, field: str):
        """The cell of `field` in a row `_padded` (a column the header lacks reads the padding's None)."""
        return cells[self._at[field]]

    columns = COLUMN_BY_FIELD  # field → Column, for the label of a column the header does not name

    def _message(self, level, code, row, field="", **params) -> Message:
        column = (self.table.header.labels.get(field) or self.columns[field].label) if field else ""
        return Message(level, code, self.sheet, row, " ".join(column.split()), params)

    def _amount(self, cells, field, row, errors, *, blank=None, stated=False):
        value = self._cell(cells, field)
        if self.marks.formulas or self._active:
            index = self.table.header.columns.get(field)
            if stated and index is not None and self.marks.formula(row - 1, index) and value not in (None, ""):
                # A 合计 or subtotal written as =SUM(…): the figure the sheet shows is what the plan states;
                # it is compared with the rows like any stated figure, so a stale result shows as a disagreement.
                errors.append(self._message(WARNING, "formula_in_stated", row, field, cell=_cell_name(row, index)))
            elif index is not None and self._marked(row, index, field, errors):
                return blank
        try:
            amount = parse_amount(value)
        except AmountError as exc:
            errors.append(self._message(ERROR, "bad_amount", row, field, detail=exc.message("zh"),
                                        detail_en=exc.message("en")))
            return blank
        if amount is None:
            return blank
        if amount < 0:
            errors.append(self._message(ERROR, "negative_amount", row, field, value=_text(value, False)))
            return blank
        return amount

    def _marked(self, row: int, index: int, field: str, errors: list) -> bool:
        """True when the amount cell is a formula or in a merged area (an error is added once)."""
        if self.marks.formula(row - 1, index):
            errors.append(self._message(ERROR, "formula_in_amount", row, field, cell=_cell_name(row, index)))
            return True
        for area in self._active:
            if area[1] <= index <= area[3] and area[0] >= self.table.header.row:
                if area not in self._reported:
                    self._reported.add(area)
                    cells = f"{_cell_name(area[0] + 1, area[1])}:{_cell_name(area[2] + 1, area[3])}"
                    errors.append(self._message(ERROR, "merged_amount", area[0] + 1, field, cells=cells))
                return True
        return False

    def _unmerge(self, number: int, cells: tuple) -> tuple[tuple, list]:
        """Track the merged areas over this row; fill the non-amount cells of areas over several rows."""
        r = number - 1
        merges = self._merges
        while self._next_merge < len(merges) and merges[self._next_merge][0] <= r:
            self._active.append(merges[self._next_merge])
            self._next_merge += 1
        self._active = [area for area in self._active if area[2] >= r]
        if self.table is None or not self._active:
            return cells, []
        notes = []
        fields = {index: field for field, index in self.table.header.columns.items()}
        for area in self._active:
            r1, c1, r2, _c2 = area
            field = fields.get(c1)
            if r1 < self.table.header.row or r2 == r1 or field is None or field in MONEY_FIELDS:
                continue
            if r == r1:
                self._tops[area] = cells[c1] if c1 < len(cells) else None
                continue
            top = self._tops.get(area)
            if top is None or (c1 < len(cells) and _text(cells[c1], False)):
                continue
            cells = tuple(cells) + (None,) * (c1 + 1 - len(cells))
            cells = cells[:c1] + (top,) + cells[c1 + 1:]
            if area not in self._reported:
                self._reported.add(area)
                notes.append(self._message(
                    WARNING, "merged_cells_filled", r1 + 1, field,
                    cells=f"{_cell_name(r1 + 1, c1)}:{_cell_name(r2 + 1, area[3])}", first=r1 + 1, last=r2 + 1,
                    value=_text(top, self.from_csv)[:60]))
        return cells, notes

    def _too_long(self, text: str, field: str, row: int, errors: list, *, limit_key: str | None = None) -> bool:
        limit = self._limits[limit_key or field]
        if len(text) > limit:
            errors.append(self._message(ERROR, "text_too_long", row, field, length=len(text), limit=limit))
            return True
        return False

    def _category(self, text: str):
        return self.context.categories.get(_category_key(text))

    # --- the row loop --------------------------------------------------------
    def parse(self, rows: Iterable[tuple]) -> Iterator:
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
            # Every header names the project-name column; checking for 名称 first keeps the
            # full header match off the data rows (it is the costliest test per row).
            header = find_header(number, cells) if any(
                type(v) is str and "名称" in v for v in cells) else None
            if header is not None:
                yield from self._close_table()
                yield from self._open_table(header)
                continue
            if self.table is None:
                if len(texts) <= 2:  # a title line above the first header
                    self.title_year = year_in_text(" ".join(t for _i, t in texts)) or self.title_year
                continue
            yield from self._row(number, cells, texts)
        yield from self._close_table()

    def _start_table(self, header: Header) -> None:
        self.table = _Table(header=header, year=self.title_year or self.sheet_year)
        # Each data row gets this padding (`_padded`), so every column index is in range and -1 is a blank cell.
        self._pad = (None,) * (max(header.columns.values(), default=0) + 2)
        self._at = {f: header.columns.get(f, -1) for f in self.columns}

    def _padded(self, cells) -> tuple:
        return tuple(cells) + self._pad

    def _open_table(self, header: Header) -> Iterator[Message]:
        self._start_table(header)
        if not any(header.has(f) for f in AMOUNT_FIELDS):
            yield Message(ERROR, "missing_column", self.sheet, header.row, "", {"column": "京蒙资金"})

    def _close_table(self) -> Iterator:
        if self.table is not None and self.table.pending:
            for stated in self.table.pending:
                yield stated  # year stays None: the caller reports it
        self.table = None
        self.title_year = None

    def _row(self, number: int, cells: tuple, texts) -> Iterator:
        table = self.table
        cells = self._padded(cells)
        if len(texts) == 1 and texts[0][1].strip().startswith(("单位", "金额单位")):
            return
        has_identity = any(_text(self._cell(cells, f), False) for f in _IDENTITY_FIELDS if table.header.has(f))
        amounts_present = any(_text(self._cell(cells, f), False) for f in AMOUNT_FIELDS)
        if not has_identity and not amounts_present and len(texts) == 1:
            year = year_in_text(texts[0][1])
            if year is not None and len(texts[0][1]) > 6:  # a new table's title in the same sheet
                self.title_year = year
                table.year = year
            return
        if not has_identity:
            label = next((t for i, t in texts if i not in self._amount_indexes()), "")
            stated = self._stated(number, cells, label)
            if stated is not None:
                yield from stated
                return
        yield from self._project(number, cells)

    def _amount_indexes(self) -> set:
        return {self.table.header.columns[f] for f in AMOUNT_FIELDS if self.table.header.has(f)}

    def _stated(self, number, cells, label) -> list | None:
        grand = split_grand_total_label(label)
        sub = None if grand else split_subtotal_label(label)
        if grand is None and sub is None:
            return None
        out: list = []
        amounts = {f: self._amount(cells, f, number, out, stated=True) for f in AMOUNT_FIELDS}
        category_id = None
        if sub is not None:
            found = self._category(sub[0])
            if found is None:
                out.append(self._message(ERROR, "unknown_category", number, "name", value=sub[0], known=self.known))
                return out
            category_id = found[0]
            self.table.subtotal = (category_id, label.strip())
        if self._too_long(label.strip(), "name", number, out, limit_key="label"):
            return out
        stated = StatedRow(
            sheet=self.sheet, row=number, kind="total" if grand else "subtotal", label=label.strip(),
            category_id=category_id, year=self.table.year, count=(grand or sub)[1],
            total=amounts["total"], beijing=amounts["beijing"], local=amounts["local"],
        )
        if stated.year is None:
            self.table.pending.append(stated)
        else:
            out.append(stated)
        return out

    def _project(self, number: int, cells: tuple) -> Iterator:
        errors: list[Message] = []
        warnings: list[Message] = []
        name = _text(self._cell(cells, "name"), self.from_csv)
        total = self._amount(cells, "total", number, errors, blank=Decimal(0))
        beijing = self._amount(cells, "beijing", number, errors, blank=Decimal(0))
        local = self._amount(cells, "local", number, errors, blank=Decimal(0))
        amounts_read = not errors  # else a refused amount reads 0: no sum to compare
        content = _text(self._cell(cells, "content"), self.from_csv)
        if not name:
            if total or beijing or local or content:
                errors.append(self._message(ERROR, "missing_name", number, "name"))
            yield from errors
            return
        year = self._year(cells, number, errors, warnings)
        category_id = self._project_category(cells, number, errors, warnings)
        nature = self._nature(cells, number, warnings)
        location = _text(self._cell(cells, "location"), self.from_csv)
        unit_spelling = _text(self._cell(cells, "unit"), self.from_csv)
        serial = _text(self._cell(cells, "serial"), False)
        use = _text(self._cell(cells, "use"), self.from_csv)
        limits = self._limits
        if (len(name) > limits["name"] or len(location) > limits["location"] or len(unit_spelling) > limits["unit"]
                or len(serial) > limits["serial"] or len(content) > limits["content"] or len(use) > limits["use"]):
            for field, text in (("name", name), ("location", location), ("unit", unit_spelling), ("serial", serial),
                                ("content", content), ("use", use)):
                self._too_long(text, field, number, errors)
        row = ProjectRow(
            sheet=self.sheet, row=number, name=name, location=location, unit_spelling=unit_spelling,
            key=(_normalized(name), _normalized(location), self.context.unit_key(unit_spelling)),
            year=year, category_id=category_id, nature=nature,
            serial=serial, content=content, use=use,
            total=total, beijing=beijing, local=local,
        )
        if self.table.header.has("actual_beijing"):
            row.actual_beijing = self._amount(cells, "actual_beijing", number, errors)
        if self.table.header.has("actual_local"):
            row.actual_local = self._amount(cells, "actual_local", number, errors)
        if self.table.header.has("status"):
            row.status = self._status(cells, number, warnings)
        if amounts_read:
            actual = {field: None if value is ABSENT else value
                      for field, value in (("actual_beijing", row.actual_beijing), ("actual_local", row.actual_local))}
            for check in budget_checks(total=total, beijing=beijing, local=local, **actual):
                warnings.append(self._message(WARNING, check.code, number, CHECKED_COLUMNS[check.field],
                                              **check.params))
        yield from errors
        yield from warnings
        if not errors:
            if year is not None and self.table.pending:
                for stated in self.table.pending:
                    stated.year = year
                    yield stated
                self.table.pending.clear()
            yield row

    def _year(self, cells, number, errors, warnings) -> int | None:
        value = self._cell(cells, "year")
        index = self.table.header.columns.get("year")
        if index is not None and self.marks.formula(number - 1, index):
            errors.append(self._message(ERROR, "formula_in_year", number, "year", cell=_cell_name(number, index)))
            return None
        if isinstance(value, datetime.date):  # a date cell (datetime is a date too)
            value = self._date_year(value, number, errors, warnings)
            if value is None:
                return None
        try:
            year = parse_year(value)
        except CellValueError as exc:
            errors.append(self._message(ERROR, "bad_year", number, "year", detail=exc.message("zh"),
                                        detail_en=exc.message("en")))
            return None
        if year is None:
            year = self.table.year
        if year is None:
            errors.append(self._message(ERROR, "missing_year", number, "year"))
        elif not self.context.first_year <= year <= self.context.last_year:
            errors.append(self._message(ERROR, "year_outside_plan", number, "year", year=year,
                                        first=self.context.first_year, last=self.context.last_year))
        return year

    def _date_year(self, value: datetime.date, number: int, errors: list, warnings: list) -> int | None:
        """A date typed or formatted in the year column: its year, said in a warning. A year typed into a
        cell formatted as a date shows as a date in 1905 (2023 days after 1899-12-30): refused, since the
        sheet shows a date nobody meant."""
        day = value.date() if isinstance(value, datetime.datetime) else value
        shown = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        if day.year < 1950:
            errors.append(self._message(ERROR, "year_shown_as_date", number, "year", value=shown,
                                        number=(day - _EXCEL_EPOCH).days))
            return None
        warnings.append(self._message(WARNING, "year_from_date", number, "year", value=shown, year=day.year))
        return day.year

    def _project_category(self, cells, number, errors, warnings) -> int | None:
        text = _text(self._cell(cells, "category"), False)
        subtotal = self.table.subtotal
        if not text:
            if subtotal is None:
                errors.append(self._message(ERROR, "missing_category", number, "category"))
                return None
            return subtotal[0]
        found = self._category(text)
        if found is None:
            errors.append(self._message(ERROR, "unknown_category", number, "category", value=text, known=self.known))
            return None
        if subtotal is not None and subtotal[0] != found[0]:
            warnings.append(self._message(WARNING, "category_differs_from_subtotal", number, "category", value=text,
                                          subtotal=subtotal[1]))
        return found[0]

    def _nature(self, cells, number, warnings) -> str:
        text = normalize_text(_text(self._cell(cells, "nature"), False))
        if not text:
            return ""
        found = [nature for nature in NATURES if nature in text]
        if len(found) == 1:
            return found[0]
        warnings.append(self._message(WARNING, "unknown_nature", number, "nature", value=text))
        return ""

    def _status(self, cells, number, warnings):
        text = normalize_text(_text(self._cell(cells, "status"), False)).lower()
        if not text:
            return ABSENT
        if text in STATUSES:
            return STATUSES[text]
        warnings.append(self._message(WARNING, "unknown_status", number, "status", value=text))
        return ABSENT
