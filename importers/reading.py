"""Read uploaded annex spreadsheets (.xlsx, .xls, .ods, .csv) into plain rows.

python-calamine parses (it is ~13x faster than openpyxl). This module decides the
format by content, refuses hostile files *before* calamine allocates memory for
them, and yields rows so that the n-th row yielded IS the row a person sees as n.

Why the pre-scans: calamine builds a dense rows x columns grid per sheet. A 1.5 KB
xlsx with cells at A1 and XFD1048576 makes it request 550 GB and abort the whole
process (Rust aborts, no Python exception); an .xls with a few sheets holding two
far-apart cells costs ~0.7 GB each at open; an .ods repeats cells by attribute.
So each sheet's extent is measured from the raw XML/BIFF records first.

The same pre-scans note what calamine does not tell (Sheet.marks): which cells hold a
formula and which are merged. calamine hands over a formula cell's saved result as if it
had been typed (xlsx `<v>`, the xls FORMULA record's result, ods office:value), and a blank
when the writer saved none (openpyxl, xlwt and most scripts save none); it puts a merged
area's value in its first cell and leaves the others blank (and reports no merges for
ods). So: xlsx, the `<f>` (with an array formula's ref area) and `<mergeCell>` elements;
xls, the FORMULA and MERGEDCELLS records; ods, the table:formula, number-*-spanned and
number-matrix-*-spanned attributes. CSV has neither: "=1+2" there is text.

open_sheets() does every check that needs no full parse. Sheet.rows() can still raise
UnreadableFile while it loads: a sheet whose XML calamine rejects ("corrupt"), a grid
that proves larger than its markup said ("too_many_cells"), a CSV byte that does not
decode after the sniffed prefix ("unsupported_encoding"); callers catch it there too.
"""
from __future__ import annotations

import codecs
import contextvars
import csv
import mmap
import posixpath
import re
import struct
import zipfile
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator
from xml.parsers import expat

import python_calamine as cal

MAX_CELLS = 2_000_000          # per sheet, rows x columns as yielded (from A1)
TOTAL_CELLS = 10 * MAX_CELLS   # all sheets: calamine holds every .xls/.ods sheet at once (~32 B a cell)
ZIP_RATIO, ZIP_CAP = 20, 500 * 2**20
PREFIX = 64 * 2**10            # CSV encoding/delimiter are decided on this prefix
MAX_MERGES = 100_000           # merged areas in a file (a real annex has dozens)
_CHUNK = 2**20

_MESSAGES = {
    "empty": ("文件是空的：请检查文件后重新上传。", "The file is empty: check it and upload it again."),
    "not_a_spreadsheet": ("文件不是电子表格：请上传 .xlsx、.xls、.ods 或 .csv 文件。",
                          "The file is not a spreadsheet: upload an .xlsx, .xls, .ods or .csv file."),
    "document": ("文件是 Word 文档或 PDF，不是电子表格：请把附表复制到 Excel 或 WPS 表格中，另存为 .xlsx 后再上传。",
                 "The file is a Word document or a PDF, not a spreadsheet: copy the annex table into Excel or WPS, "
                 "save it as .xlsx and upload it again."),
    "web_page": ("文件是网页（HTML）或 XML 文本，不是真正的电子表格（有些系统导出的 .xls 就是这样）："
                 "请用 Excel 或 WPS 打开它，另存为 .xlsx 后再上传。",
                 "The file is a web page (HTML) or XML text, not a real spreadsheet (some systems export .xls "
                 "files like this): open it in Excel or WPS, save it as .xlsx and upload it again."),
    "corrupt": ("文件已损坏，无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
                "The file is damaged and cannot be read: open it in Excel or WPS, save it as .xlsx and upload it again."),
    "encrypted": ("文件设有密码保护：请在 Excel 或 WPS 中取消密码并保存后再上传。",
                  "The file is password-protected: remove the password in Excel or WPS, save it and upload it again."),
    "too_large": ("文件太大：请只保留附表所需的工作表和内容后再上传。",
                  "The file is too large: keep only the sheets and content the annex needs, then upload it again."),
    "too_many_cells": ("工作表的单元格太多（单个工作表超过 200 万个）：请删除多余的行和列后再上传。",
                       "A sheet has too many cells (over 2,000,000): delete unused rows and columns, then upload it again."),
    "too_many_merges": ("文件的合并单元格太多（超过 10 万处）：请取消合并后再上传。",
                        "The file has too many merged areas (over 100,000): unmerge the cells, then upload it again."),
    "unsupported_encoding": ("无法识别 CSV 文件的文字编码：请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传。",
                             "The CSV file's text encoding is not recognised: save it as \"CSV UTF-8\" or .xlsx in Excel and upload it again."),
}


class UnreadableFile(Exception):
    """The upload cannot be read; `code` is stable, `message()` is for people."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)      # args round-trip through pickle (Celery)
        self.code, self.detail = code, detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code

    def message(self, lang: str = "zh") -> str:
        zh, en = _MESSAGES.get(self.code, _MESSAGES["corrupt"])
        return zh if str(lang).lower().startswith("zh") else en


@dataclass(frozen=True)
class Marks:
    """What a sheet's markup says beyond its values. Rows and columns count from 0 (A1 is (0, 0))."""

    formulas: dict = field(default_factory=dict)   # column → sorted array of the rows holding a formula
    merges: tuple = ()                             # merged areas: (first row, first col, last row, last col)

    def formula(self, row: int, col: int) -> bool:
        rows = self.formulas.get(col)
        if not rows:
            return False
        i = bisect_left(rows, row)
        return i < len(rows) and rows[i] == row


NO_MARKS = Marks()


class _Budget:
    """What one file's marks may hold, all sheets together: a hostile file could repeat <f/> or
    <mergeCell> millions of times inside a small extent."""

    def __init__(self):
        self.formulas, self.areas, self.merges = TOTAL_CELLS, MAX_MERGES, MAX_MERGES


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("reading_marks_budget", default=None)


class _MarksBuilder:
    """Collects marks while a pre-scan runs; build() clips array-formula areas to the sheet."""

    def __init__(self, where: str):
        self.where = where
        self.budget = _BUDGET.get() or _Budget()
        self.count = 0                  # formula cells noted in this sheet
        self.cells: dict[int, array] = {}
        self.areas: list[tuple[int, int, int, int]] = []
        self.merges: list[tuple[int, int, int, int]] = []

    def formula(self, row: int, col: int) -> None:
        rows = self.cells.get(col)
        if rows is None:
            rows = self.cells[col] = array("I")
        elif rows[-1] == row:
            return
        self.count += 1
        self.budget.formulas -= 1
        if self.count > MAX_CELLS or self.budget.formulas < 0:
            raise UnreadableFile("too_many_cells", f"{self.where}: too many formula cells")
        rows.append(min(row, 0xFFFFFFFF))

    def formula_area(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """An array formula's area (or a repeated ods formula cell): every cell of it is a formula's result."""
        self.budget.areas -= 1
        if self.budget.areas < 0:
            raise UnreadableFile("too_many_cells", f"{self.where}: over {MAX_MERGES} formula areas")
        self.areas.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) == (r2, c2):
            return
        self.budget.merges -= 1
        if self.budget.merges < 0:
            raise UnreadableFile("too_many_merges", f"{self.where}: over {MAX_MERGES} merged areas")
        self.merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))

    def build(self, rows: int, cols: int) -> Marks:
        if not (self.cells or self.areas or self.merges):
            return NO_MARKS
        if rows * cols <= MAX_CELLS:        # else the sheet is refused: do not expand its areas
            for r1, c1, r2, c2 in self.areas:   # only cells with a value can matter: clip to the extent
                for col in range(c1, min(c2, cols - 1) + 1):    # formula() counts them against the budget
                    for row in range(r1, min(r2, rows - 1) + 1):
                        self.formula(row, col)
        formulas = {col: array("I", sorted(found)) for col, found in self.cells.items()}
        # Merged areas clipped to the cells with values (the rest is never read). Real areas never
        # overlap, so together they cover at most the sheet: the parser's work on them stays linear.
        merges, covered = [], 0
        for r1, c1, r2, c2 in self.merges:
            if r1 >= rows or c1 >= cols:
                continue
            r2, c2 = min(r2, rows - 1), min(c2, cols - 1)
            covered += (r2 - r1 + 1) * (c2 - c1 + 1)
            if covered > max(rows * cols, 1):
                raise UnreadableFile("corrupt", f"{self.where}: merged areas overlap")
            if (r1, c1) != (r2, c2):
                merges.append((r1, c1, r2, c2))
        return Marks(formulas, tuple(sorted(merges)))


@dataclass(frozen=True)
class Sheet:
    name: str
    index: int
    hidden: bool
    _source: Callable[[], Iterator[tuple]] = field(default=lambda: iter(()), repr=False, compare=False)
    marks: Marks = field(default=NO_MARKS, repr=False, compare=False)

    def rows(self) -> Iterator[tuple]:
        """Rows from spreadsheet row 1, blank rows included; each call starts again.
        May raise UnreadableFile while loading (a lying xlsx, a bad CSV byte late in the file)."""
        return self._source()

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[Iterable], *, index: int = 0, hidden: bool = False,
                  marks: Marks = NO_MARKS) -> "Sheet":
        """An in-memory sheet, for callers' tests."""
        data = [tuple(r) for r in rows]
        return cls(name, index, hidden, lambda: iter(data), marks)


def _calamine_failure(exc: BaseException) -> UnreadableFile:
    if isinstance(exc, UnreadableFile):
        return exc
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    if isinstance(exc, cal.PasswordError):
        return UnreadableFile("encrypted", str(exc)[:200])
    if isinstance(exc, MemoryError) or "Cell limit exceeded" in str(exc):
        return UnreadableFile("too_many_cells", str(exc)[:200])
    return UnreadableFile("corrupt", str(exc)[:200])   # incl. pyo3 PanicException (a BaseException)


def _check_cells(rows: int, cols: int, where: str) -> None:
    if rows * cols > MAX_CELLS:
        raise UnreadableFile("too_many_cells", f"{where}: {rows} rows x {cols} columns")


def _check_extents(extents: Iterable[tuple[str, int, int]]) -> None:
    total = 0
    for where, rows, cols in extents:
        _check_cells(rows, cols, where)
        total += rows * cols
    if total > TOTAL_CELLS:     # many sheets each just under the limit
        raise UnreadableFile("too_many_cells", f"{total} cells in all sheets together")


# ---------------------------------------------------------------- detection
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f]")   # never inside UTF-8/GB18030 text
_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


def detect_format(path: str | Path) -> str:
    """Return "xlsx", "xls", "ods" or "csv", judged by content, never by extension."""
    return _detect(Path(path))[0]


def _detect(path: Path) -> tuple[str, tuple]:
    with open(path, "rb") as f:
        head = f.read(PREFIX)
    if not head:
        raise UnreadableFile("empty")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _detect_zip(path), ()
    if head[:8] == _OLE_MAGIC:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            try:
                names = _Ole(buf).entries
            except (ValueError, struct.error, IndexError) as exc:
                # Unparseable container: the stream name alone still tells an encrypted OOXML.
                if buf.find("EncryptedPackage".encode("utf-16-le")) >= 0:   # (`in` is wrong on mmap)
                    raise UnreadableFile("encrypted", "EncryptedPackage") from None
                raise UnreadableFile("corrupt", f"OLE2: {exc}"[:200]) from None
        if "encryptedpackage" in names:
            raise UnreadableFile("encrypted", "EncryptedPackage")
        if "workbook" in names or "book" in names:
            return "xls", ()
        raise UnreadableFile("not_a_spreadsheet", "OLE2 file without a Workbook stream (Word/PowerPoint?)")
    if head.startswith(b"%PDF"):
        raise UnreadableFile("document", "PDF")
    return "csv", _sniff_text(head, complete=len(head) < PREFIX)


def _detect_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower() for n in zf.namelist()}
            if "mimetype" in names:
                with zf.open("mimetype") as f:
                    if f.read(100).strip() == _ODS_MIME:
                        return "ods"
            if "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError, KeyError) as exc:
        raise UnreadableFile("corrupt", f"zip: {exc}"[:200]) from None
    if "word/document.xml" in names:
        raise UnreadableFile("document", "word archive (.docx)")
    kind = "xlsb" if "xl/workbook.bin" in names else "zip"
    raise UnreadableFile("not_a_spreadsheet", f"{kind} archive")


def _sniff_text(head: bytes, complete: bool) -> tuple[str, str, bool]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("unsupported_encoding", "UTF-16")
    if _BINARY.search(head):
        raise UnreadableFile("not_a_spreadsheet", "binary data")
    for encoding in _ENCODINGS:
        try:  # incremental: a multi-byte character cut by the prefix end is not an error
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("unsupported_encoding", "not UTF-8 or GB18030")
    if text.lstrip().startswith("<"):     # an "xls" saved as a web page, or Excel 2003 XML
        raise UnreadableFile("web_page", "HTML or XML text")
    first = text.split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.startswith("sep="):     # Excel's delimiter hint line
        return encoding, first[4], True
    sample = text[:8192]
    sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    return encoding, delimiter, False


# ---------------------------------------------------------------- opening
def open_sheets(path: str | Path, *, max_bytes: int = 50 * 2**20, name: str | None = None) -> list[Sheet]:
    """The worksheets of a file. `name`: the file's name as its owner knows it (an upload is stored
    under another): a CSV's one sheet is called after it."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("empty")
    if size > max_bytes:
        raise UnreadableFile("too_large", f"{size} bytes > {max_bytes}")
    fmt, info = _detect(path)
    if fmt == "csv":
        return [Sheet(Path(name).stem if name else path.stem, 0, False, partial(_csv_rows, path, *info))]
    token = _BUDGET.set(_Budget())
    try:
        if fmt == "xls":
            marks = _check_xls(path)
        else:
            marks = _check_zip(path, fmt, min(ZIP_RATIO * max_bytes, ZIP_CAP))
    finally:
        _BUDGET.reset(token)
    try:
        book = cal.CalamineWorkbook.from_path(str(path))
        metadata = book.sheets_metadata
    except BaseException as exc:
        raise _calamine_failure(exc) from None
    if isinstance(marks, list):     # xls and ods: one entry per sheet, in the workbook's order
        if len(marks) != len(metadata) and any(m is not NO_MARKS for m in marks):
            raise UnreadableFile("corrupt", f"{len(metadata)} sheets, {len(marks)} in the records")
        by_sheet = dict(enumerate(marks))
    else:                           # xlsx: by sheet name → its part
        by_sheet = {i: marks.get(m.name, NO_MARKS) for i, m in enumerate(metadata)}
    return [Sheet(m.name, i, m.visible != cal.SheetVisibleEnum.Visible, partial(_calamine_rows, book, i),
                  by_sheet.get(i, NO_MARKS))
            for i, m in enumerate(metadata) if m.typ == cal.SheetTypeEnum.WorkSheet]


def _calamine_rows(book: cal.CalamineWorkbook, index: int) -> Iterator[tuple]:
    try:
        sheet = book.get_sheet_by_index(index)
    except BaseException as exc:
        raise _calamine_failure(exc) from None
    if sheet.end is None:
        return
    # Backstop for files whose markup lied to the pre-scan; yielded size counts from A1.
    _check_cells(sheet.end[0] + 1, sheet.end[1] + 1, sheet.name)
    # iter_rows() pads the empty rows above the data but not the empty columns left of it.
    pad = (None,) * sheet.start[1]
    for row in sheet.iter_rows():
        # "" is calamine's empty cell; `v or` skips the comparison for most values.
        yield pad + tuple([v or (None if v == "" else v) for v in row])


def _csv_rows(path: Path, encoding: str, delimiter: str, skip_first: bool) -> Iterator[tuple]:
    try:
        with open(path, encoding=encoding, newline="") as f:   # streamed, record by record
            reader = csv.reader(f, delimiter=delimiter)
            if skip_first:
                next(reader, None)
            count = width = 0
            for record in reader:
                count, width = count + 1, max(width, len(record))
                if count * width > MAX_CELLS:
                    raise UnreadableFile("too_many_cells", f"CSV: {count} rows x {width} columns")
                yield tuple([v or None for v in record])
    except UnicodeDecodeError as exc:
        raise UnreadableFile("unsupported_encoding", str(exc)[:200]) from None
    except csv.Error as exc:
        raise UnreadableFile("corrupt", f"CSV: {exc}"[:200]) from None


def read_bare(path: str | Path) -> int:
    """Benchmark floor: every cell of every sheet through calamine, nothing else.
    No safety checks: use on trusted files only."""
    cells = 0
    with cal.CalamineWorkbook.from_path(str(path)) as book:
        for i in range(len(book.sheet_names)):
            for row in book.get_sheet_by_index(i).iter_rows():
                cells += len(row)
    return cells


# ---------------------------------------------------------------- zip pre-scans
def _check_zip(path: Path, fmt: str, limit: int) -> list[Marks] | dict[str, Marks]:
    """Refuse what calamine should not open; return the marks: per table (ods), per sheet name (xlsx)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > limit:
                raise UnreadableFile("too_large", f"{total} bytes uncompressed > {limit}")
            if any(i.flag_bits & 1 for i in infos):
                raise UnreadableFile("encrypted", "zip entries are encrypted")
            names = {i.filename.lower(): i for i in infos}
            if len(names) != len(infos):    # which twin would calamine read? office files have none
                raise UnreadableFile("corrupt", "duplicate names in the zip")
            if fmt == "ods":
                manifest = names.get("meta-inf/manifest.xml")
                if manifest and b"encryption-data" in zf.open(manifest).read(2**20):
                    raise UnreadableFile("encrypted", "ODF encryption-data")
                extents = _ods_extents(zf, names.get("content.xml", "content.xml"))
                _check_extents((f"table {n + 1}", rows, cols) for n, (rows, cols, _m) in enumerate(extents))
                return [m.build(rows, cols) for rows, cols, m in extents]
            # calamine looks sheet parts up case-insensitively; scan every one it could load.
            scanned = {low: _xlsx_extent(zf, info) for low, info in names.items()
                       if low.startswith("xl/worksheets/") and "/_rels/" not in low}
            _check_extents((low, rows, cols) for low, (rows, cols, _m) in scanned.items())
            marks = {low: m.build(rows, cols) for low, (rows, cols, m) in scanned.items()}
            if all(m is NO_MARKS for m in marks.values()):
                return {}
            return {sheet: marks.get(part, NO_MARKS) for sheet, part in _xlsx_sheet_parts(zf, names).items()}
    except UnreadableFile:
        raise
    except Exception as exc:    # BadZipFile, zlib.error, EOFError (truncated), CRC errors ...
        raise UnreadableFile("corrupt", f"zip: {exc}"[:200]) from None


def _chunks(zf: zipfile.ZipFile, name) -> Iterator[bytes]:
    """A zip member in ~1 MB pieces, each cut just before a '<' so no tag is split."""
    carry = b""
    with zf.open(name) as f:
        while block := f.read(_CHUNK):
            data = carry + block
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data if cut == 0 else b""
                if cut < 0:
                    yield data
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


# Fast path: every cell tag starts `<c r="A1"` as Excel, WPS, LibreOffice and openpyxl
# write it. Anything else (no r, prefixes, quotes, odd spacing) goes to the exact path.
_PREFIXED = re.compile(rb":(?:c|f|mergeCell)[\s/>]")   # `<x:c ...>`; a stray ":c " in text only costs speed
_CELL_COL = re.compile(rb'<c r="([A-Z]{1,3})')
# Only a plainly self-closing `<c r=".." s="1"/>`, or one closed at once (`<c r=".." s="1" t="n"></c>`, as openpyxl
# writes a styled blank cell when lxml is installed), is empty; any other shape counts as a value.
_VALUE = rb'"(?!(?:\s+[\w:.-]+="[^"<>/]*")*\s*(?:/>|></c>))'
_VALUE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})' + _VALUE)
# Marks. A cell's children are f?, v?, is?: an `<f` element can only sit in the cell opened last.
_F_TAG = re.compile(rb"<f(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_REF_ATTR = re.compile(rb'\sref="([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?"')
_MERGE_TAG = re.compile(rb"<mergeCell(?=[\s/>])([^>]*)>")
_SHARED = re.compile(rb'\st="shared"')
_odd: dict[int, re.Pattern] = {}


def _odd_cells(digits: int) -> re.Pattern:
    """A cell tag not in the fast-path shape, or a value cell below row 10**digits."""
    if digits not in _odd:
        _odd[digits] = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"[\s/>])'
                                  rb'|<c r="[A-Z]{1,3}[0-9]{%d}[0-9]*' % (digits + 1) + _VALUE)
    return _odd[digits]


def _col(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper().encode() if isinstance(letters, str) else letters.upper():
        n = n * 26 + ch - 64
    return n


def _area(m: re.Match) -> tuple[int, int, int, int]:
    """(r1, c1, r2, c2), from 0, of a `ref="A1:B2"` (or `ref="A1"`) match."""
    r1, c1 = int(m.group(2)) - 1, _col(m.group(1)) - 1
    if m.group(3) is None:
        return r1, c1, r1, c1
    return r1, c1, int(m.group(4)) - 1, _col(m.group(3)) - 1


def _xlsx_marks(chunk: bytes, marks: _MarksBuilder, previous: tuple[int, int] | None) -> None:
    """Formula cells and merged areas of a chunk in the fast path's shape."""
    where, since = previous, 0
    for m in _F_TAG.finditer(chunk):
        # the last cell opened since the previous <f> (else the same cell): each byte looked at once
        if (i := chunk.rfind(b'<c r="', since, m.start())) >= 0 and (cell := _CELL_REF.match(chunk, i)):
            where = (int(cell.group(2)) - 1, _col(cell.group(1)) - 1)
        since = m.end()
        if where is not None:
            marks.formula(*where)
        # An array formula's ref covers cells without an <f> of their own; a shared formula's do have one.
        if (ref := _REF_ATTR.search(m.group(1))) and not _SHARED.search(m.group(1)):
            marks.formula_area(*_area(ref))
    for m in _MERGE_TAG.finditer(chunk):
        if ref := _REF_ATTR.search(m.group(1)):
            marks.merge(*_area(ref))


def _xlsx_extent(zf: zipfile.ZipFile, name) -> tuple[int, int, _MarksBuilder]:
    """(rows, columns) from A1 to the last non-empty cell, without building the grid, and the marks."""
    rows = cols = 0
    marks, previous = _MarksBuilder(getattr(name, "filename", name)), None
    for chunk in _chunks(zf, name):
        last, i = None, len(chunk)
        while (i := chunk.rfind(b'<c r="', 0, i)) >= 0:
            if m := _VALUE_CELL.match(chunk, i):
                last = m.group(2)
                break
        # Rows ascend in real files, so the chunk's last value cell has its highest row;
        # a value cell with more digits than that means the file lies: measure exactly.
        # (Fake tags in comments can only raise this bound, at most tenfold.)
        if _PREFIXED.search(chunk) or _odd_cells(len(last) if last else 7).search(chunk):
            return _xlsx_exact(zf, name)
        if b"<f" in chunk or b"<mergeCell" in chunk:
            _xlsx_marks(chunk, marks, previous)
        if (j := chunk.rfind(b'<c r="')) >= 0 and (cell := _CELL_REF.match(chunk, j)):
            previous = (int(cell.group(2)) - 1, _col(cell.group(1)) - 1)
        if last:
            rows = max(rows, int(last))
            # widest column that holds a value (styled empty cells do not count)
            for letters in sorted(set(_CELL_COL.findall(chunk)), key=_col, reverse=True):
                if _col(letters) <= cols:
                    break
                if re.search(rb'<c r="%s[0-9]+' % letters + _VALUE, chunk):
                    cols = _col(letters)
                    break
    return rows, cols, marks


_REF = re.compile(r"([A-Za-z]*)([0-9]+)")


def _expat(zf: zipfile.ZipFile, name, start, end) -> None:
    """Feed a zip member to a real XML parser, so comments, CDATA and quoting hide nothing."""
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.specified_attributes = True      # calamine sees no DTD default attributes ...

    def doctype(*_):                        # ... nor entities: office files never carry a DTD
        raise UnreadableFile("corrupt", f"DOCTYPE in {getattr(name, 'filename', name)}")

    parser.StartDoctypeDeclHandler = doctype
    with zf.open(name) as f:
        while block := f.read(_CHUNK):
            parser.Parse(block, False)
    parser.Parse(b"", True)


_AREA = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?")


def _xlsx_exact(zf: zipfile.ZipFile, name) -> tuple[int, int, _MarksBuilder]:
    """calamine's placement rules: a cell without r goes right of the previous one, a row
    without r below the previous one; a cell counts once it has content."""
    row = col = rows = cols = 0
    cell = None
    current = None      # (row, col) of the open cell, for its <f>
    marks = _MarksBuilder(getattr(name, "filename", name))

    def start(tag, attrs):
        nonlocal row, col, rows, cols, cell, current
        tag = tag.rpartition(":")[2]
        ref = _REF.fullmatch(attrs.get("r", "")) if tag in ("row", "c") else None
        if "r" in attrs and ref is None and tag in ("row", "c"):
            raise UnreadableFile("corrupt", f"bad cell reference {attrs['r']!r}"[:200])
        if tag == "row":
            row = int(ref.group(2)) - 1 if ref else row
        elif tag == "c":
            if ref:
                cell, col = int(ref.group(2)) - 1, _col(ref.group(1)) - 1
            else:
                cell = row
            current = (cell, col)
        elif tag == "mergeCell":
            if area := _AREA.fullmatch(attrs.get("ref", "")):
                marks.merge(*_area(area))
        else:
            if tag == "f" and current is not None:
                marks.formula(*current)
                if attrs.get("t") != "shared" and (area := _AREA.fullmatch(attrs.get("ref", ""))):
                    marks.formula_area(*_area(area))
            if cell is not None:
                rows, cols, cell = max(rows, cell + 1), max(cols, col + 1), None

    def end(tag):
        nonlocal row, col, cell, current
        tag = tag.rpartition(":")[2]
        if tag == "row":
            row, col = row + 1, 0
        elif tag == "c":
            col, cell, current = col + 1, None, None

    _expat(zf, name, start, end)
    return rows, cols, marks


def _xlsx_sheet_parts(zf: zipfile.ZipFile, names: dict) -> dict[str, str]:
    """Sheet name → its worksheet part (lower case), as calamine finds it: workbook.xml's
    <sheet name r:id> through xl/_rels/workbook.xml.rels."""
    sheets, targets = [], {}

    def sheet(tag, attrs):
        if tag.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and ":" in k), None)
            sheets.append((attrs.get("name", ""), rid))

    def relationship(tag, attrs):
        if tag.rpartition(":")[2] == "Relationship" and "Id" in attrs:
            target = attrs.get("Target", "").replace("\\", "/")
            target = target[1:] if target.startswith("/") else target if target.startswith("xl/") else "xl/" + target
            targets[attrs["Id"]] = posixpath.normpath(target).lower()

    _expat(zf, names["xl/workbook.xml"], sheet, lambda tag: None)
    if "xl/_rels/workbook.xml.rels" in names:
        _expat(zf, names["xl/_rels/workbook.xml.rels"], relationship, lambda tag: None)
    return {name: targets.get(rid, "") for name, rid in sheets}


_ODS_KINDS = {"table": 1, "table-row": 2, "table-cell": 3, "covered-table-cell": 3}


def _ods_extents(zf: zipfile.ZipFile, name) -> list[tuple[int, int, _MarksBuilder]]:
    """Per table, (rows, columns) up to the last cell with an office:value-type (calamine
    ignores cells without one), repeats expanded, and its marks (formulas, spanned cells)."""
    extents, depth, row, rep, col, rows, cols, filled = [], 0, 0, 1, 0, 0, 0, False
    marks = _MarksBuilder("table 1")
    kinds: dict[str, int] = {}      # tag -> kind, so most elements cost one dict lookup

    def kind(tag):
        if tag not in kinds:
            kinds[tag] = _ODS_KINDS.get(tag.rpartition(":")[2], 0)
        return kinds[tag]

    def start(tag, attrs):
        nonlocal depth, row, rep, col, rows, cols, filled, marks
        k = kind(tag)
        if not k:
            return
        n, valued, formula, spans, matrix = 1, False, False, [1, 1], [1, 1]
        for key, value in attrs.items():
            if key.endswith("-repeated"):
                n = max(n, int(value))
            elif key.endswith("value-type"):
                valued = True
            elif key.endswith(":formula"):
                formula = True
            elif key.endswith((":number-rows-spanned", ":number-columns-spanned", "-matrix-rows-spanned",
                               "-matrix-columns-spanned")):
                # table:number-matrix-*-spanned: the area of an array formula's results
                (matrix if "-matrix-" in key else spans)[key.endswith("columns-spanned")] = max(1, int(value))
        if k == 3:
            if valued:
                cols, filled = max(cols, col + n), True
            if depth == 1:
                if formula:
                    marks.formula_area(row, col, row + max(rep, matrix[0]) - 1, col + max(n, matrix[1]) - 1)
                if spans != [1, 1]:
                    marks.merge(row, col, row + spans[0] - 1, col + spans[1] - 1)
            col += n
        elif k == 2:
            rep, col, filled = n, 0, False
        else:
            depth += 1
            if depth == 1:                  # a nested table counts into its outer one
                row = rows = cols = 0
                marks = _MarksBuilder(f"table {len(extents) + 1}")

    def end(tag):
        nonlocal depth, row, rows
        k = kind(tag)
        if k == 2:
            rows = row + rep if filled else rows
            row += rep
        elif k == 1:
            depth -= 1
            if depth == 0:
                extents.append((rows, cols, marks))

    _expat(zf, name, start, end)
    if depth:
        extents.append((rows, cols, marks))     # an unclosed table still costs calamine a grid
    return extents


# ---------------------------------------------------------------- xls pre-scan
class _Ole:
    """Just enough of the OLE2 compound file format to list and read streams."""

    def __init__(self, buf):
        if len(buf) < 512 or buf[:8] != _OLE_MAGIC:
            raise ValueError("not an OLE2 file")
        shift, mini_shift = struct.unpack_from("<HH", buf, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("bad sector size")
        self.buf, self.size = buf, 1 << shift
        nfat, dir_start = struct.unpack_from("<II", buf, 44)
        self.cutoff, self.minifat_start, _, difat_next, ndifat = struct.unpack_from("<5I", buf, 56)
        difat, per = list(struct.unpack_from("<109I", buf, 76)), self.size // 4
        for _ in range(min(ndifat, len(buf) // self.size)):
            if difat_next >= 0xFFFFFFFA:
                break
            vals = struct.unpack_from(f"<{per}I", buf, self._offset(difat_next))
            difat += vals[:-1]
            difat_next = vals[-1]
        fat = b"".join(self._sector(s) for s in difat[:nfat] if s < 0xFFFFFFFA)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", fat)
        directory = self._chain(dir_start)
        self.entries = {}
        for i in range(0, len(directory) - 127, 128):
            n = min(struct.unpack_from("<H", directory, i + 64)[0], 64)
            name = directory[i:i + n].decode("utf-16-le", "replace").rstrip("\x00").lower()
            start, size = struct.unpack_from("<II", directory, i + 116)
            key = "\x00root" if directory[i + 66] == 5 else name
            if key in self.entries and directory[i + 66] == 2:
                raise ValueError(f"two streams named {name!r}")   # which would calamine read?
            self.entries.setdefault(key, (start, size))

    def _offset(self, sector: int) -> int:
        offset = (sector + 1) * self.size
        if offset + self.size > len(self.buf):
            raise ValueError(f"sector {sector} beyond end of file")
        return offset

    def _sector(self, sector: int) -> bytes:
        offset = self._offset(sector)
        return self.buf[offset:offset + self.size]

    def _chain(self, sector: int, table=None, read=None) -> bytes:
        table = self.fat if table is None else table
        read, parts = read or self._sector, []
        while sector < 0xFFFFFFFA:
            if len(parts) > len(table) or sector >= len(table):
                raise ValueError("broken sector chain")
            parts.append(read(sector))
            sector = table[sector]
        return b"".join(parts)

    def stream(self, name: str) -> bytes:
        start, size = self.entries[name]
        if size >= self.cutoff:
            return self._chain(start)[:size]
        mini = self._chain(self.entries["\x00root"][0])
        minifat = self._chain(self.minifat_start)
        table = struct.unpack(f"<{len(minifat) // 4}I", minifat)
        return self._chain(start, table, lambda s: mini[s * 64:s * 64 + 64])[:size]


# BIFF records that put a value in a cell (BIFF2-8). BLANK/MULBLANK are empty to calamine.
_VALUE_RECORDS = {0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x00BD, 0x00D6, 0x00FD,
                  0x0203, 0x0204, 0x0205, 0x0206, 0x027E, 0x0406}
_FORMULA_RECORDS = {0x0006, 0x0206, 0x0406}     # FORMULA (BIFF2/5/8, 3, 4): calamine shows its cached result
_MERGEDCELLS = 0x00E5


def _check_xls(path: Path) -> list[Marks]:
    """calamine parses every sheet at open, so measure them all in the BIFF records first.
    Returns each sheet's marks, in BOUNDSHEET order."""
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            ole = _Ole(buf)
            data = ole.stream("workbook" if "workbook" in ole.entries else "book")
        pos, sheets = 0, []
        while pos + 4 <= len(data):                 # workbook globals, up to their EOF
            kind, length = struct.unpack_from("<HH", data, pos)
            if kind == 0x002F:
                raise UnreadableFile("encrypted", "xls FILEPASS")
            if kind == 0x0085 and length >= 4:
                sheets.append(struct.unpack_from("<I", data, pos + 4)[0])
            pos += 4 + length
            if kind == 0x000A:
                break
        extents = {}
        data += bytes(8)                            # every header + row/col read stays in bounds
        record = struct.Struct("<HHHH").unpack_from
        for start in set(sheets or [0]):            # BIFF2-4: the stream is one sheet
            pos, depth, rows, cols = start, 0, 0, 0
            marks = _MarksBuilder(f"sheet at {start}")
            while pos < len(data) - 8:
                kind, length, row, col = record(data, pos)
                if kind in _VALUE_RECORDS:
                    if kind == 0x00BD and length >= 6:      # MULRK: last column at the end
                        col = struct.unpack_from("<H", data, pos + 2 + length)[0]
                    if row >= rows:
                        rows = row + 1
                    if col >= cols:
                        cols = col + 1
                    if kind in _FORMULA_RECORDS:
                        marks.formula(row, col)
                elif kind == _MERGEDCELLS and depth == 1 and length >= 2:
                    count = min(struct.unpack_from("<H", data, pos + 4)[0], (length - 2) // 8)
                    for i in range(count):
                        r1, r2, c1, c2 = struct.unpack_from("<4H", data, pos + 6 + 8 * i)
                        marks.merge(r1, c1, r2, c2)
                elif kind == 0x0809:
                    depth += 1
                elif kind == 0x000A:
                    depth -= 1
                pos += 4 + length
                if depth <= 0:
                    break
            extents[start] = rows, cols, marks
        # every BOUNDSHEET costs calamine a grid, even when several point at one substream
        _check_extents((f"sheet {n + 1}", *extents[pos][:2]) for n, pos in enumerate(sheets or [0]))
        return [extents[pos][2].build(*extents[pos][:2]) for pos in sheets or [0]]
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile("corrupt", f"xls: {exc}"[:200]) from None
