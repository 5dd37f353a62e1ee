"""Read uploaded annex spreadsheets (.xlsx, .xls, .ods, .csv) into plain rows.

python-calamine parses (it is ~13x faster than openpyxl). This module decides the
format by content, refuses hostile files *before* calamine allocates memory for
them, and yields rows so that the n-th row yielded IS the row a person sees as n.

Why the pre-scans: calamine builds a dense rows x columns grid per sheet. A 1.5 KB
xlsx with cells at A1 and XFD1048576 makes it request 550 GB and abort the whole
process (Rust aborts, no Python exception); an .xls with a few sheets holding two
far-apart cells costs ~0.7 GB each at open; an .ods repeats cells by attribute.
So each sheet's extent is measured from the raw XML/BIFF records first.

open_sheets() does every check that needs no full parse. Sheet.rows() can still raise
UnreadableFile while it loads: a sheet whose XML calamine rejects ("corrupt"), a grid
that proves larger than its markup said ("too_many_cells"), a CSV byte that does not
decode after the sniffed prefix ("unsupported_encoding"); callers catch it there too.
"""
from __future__ import annotations

import codecs
import csv
import mmap
import re
import struct
import zipfile
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
_CHUNK = 2**20

_MESSAGES = {
    "empty": ("文件是空的：请检查文件后重新上传。", "The file is empty: check it and upload it again."),
    "not_a_spreadsheet": ("文件不是电子表格：请上传 .xlsx、.xls、.ods 或 .csv 文件。",
                          "The file is not a spreadsheet: upload an .xlsx, .xls, .ods or .csv file."),
    "corrupt": ("文件已损坏，无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
                "The file is damaged and cannot be read: open it in Excel or WPS, save it as .xlsx and upload it again."),
    "encrypted": ("文件设有密码保护：请在 Excel 或 WPS 中取消密码并保存后再上传。",
                  "The file is password-protected: remove the password in Excel or WPS, save it and upload it again."),
    "too_large": ("文件太大：请只保留附表所需的工作表和内容后再上传。",
                  "The file is too large: keep only the sheets and content the annex needs, then upload it again."),
    "too_many_cells": ("工作表的单元格太多（单个工作表超过 200 万个）：请删除多余的行和列后再上传。",
                       "A sheet has too many cells (over 2,000,000): delete unused rows and columns, then upload it again."),
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
class Sheet:
    name: str
    index: int
    hidden: bool
    _source: Callable[[], Iterator[tuple]] = field(default=lambda: iter(()), repr=False, compare=False)

    def rows(self) -> Iterator[tuple]:
        """Rows from spreadsheet row 1, blank rows included; each call starts again.
        May raise UnreadableFile while loading (a lying xlsx, a bad CSV byte late in the file)."""
        return self._source()

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[Iterable], *, index: int = 0, hidden: bool = False) -> "Sheet":
        """An in-memory sheet, for callers' tests."""
        data = [tuple(r) for r in rows]
        return cls(name, index, hidden, lambda: iter(data))


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
        raise UnreadableFile("not_a_spreadsheet", "PDF")
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
    kind = "xlsb" if "xl/workbook.bin" in names else "word" if "word/document.xml" in names else "zip"
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
    if text.lstrip().startswith("<"):
        raise UnreadableFile("not_a_spreadsheet", "HTML or XML text")
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
def open_sheets(path: str | Path, *, max_bytes: int = 50 * 2**20) -> list[Sheet]:
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("empty")
    if size > max_bytes:
        raise UnreadableFile("too_large", f"{size} bytes > {max_bytes}")
    fmt, info = _detect(path)
    if fmt == "csv":
        return [Sheet(path.stem, 0, False, partial(_csv_rows, path, *info))]
    if fmt == "xls":
        _check_xls(path)
    else:
        _check_zip(path, fmt, min(ZIP_RATIO * max_bytes, ZIP_CAP))
    try:
        book = cal.CalamineWorkbook.from_path(str(path))
        metadata = book.sheets_metadata
    except BaseException as exc:
        raise _calamine_failure(exc) from None
    return [Sheet(m.name, i, m.visible != cal.SheetVisibleEnum.Visible, partial(_calamine_rows, book, i))
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
def _check_zip(path: Path, fmt: str, limit: int) -> None:
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
                _check_extents((f"table {n + 1}", *e) for n, e in enumerate(extents))
                return
            # calamine looks sheet parts up case-insensitively; scan every one it could load.
            _check_extents((info.filename, *_xlsx_extent(zf, info)) for low, info in names.items()
                           if low.startswith("xl/worksheets/") and "/_rels/" not in low)
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
_PREFIXED = re.compile(rb":c[\s/>]")      # `<x:c ...>`; a stray ":c " in text only costs speed
_CELL_COL = re.compile(rb'<c r="([A-Z]{1,3})')
# Only a plainly self-closing `<c r=".." s="1"/>` is empty; any other shape counts as a value.
_VALUE = rb'"(?!(?:\s+[\w:.-]+="[^"<>/]*")*\s*/>)'
_VALUE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})' + _VALUE)
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


def _xlsx_extent(zf: zipfile.ZipFile, name) -> tuple[int, int]:
    """(rows, columns) from A1 to the last non-empty cell, without building the grid."""
    rows = cols = 0
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
        if last:
            rows = max(rows, int(last))
            # widest column that holds a value (styled empty cells do not count)
            for letters in sorted(set(_CELL_COL.findall(chunk)), key=_col, reverse=True):
                if _col(letters) <= cols:
                    break
                if re.search(rb'<c r="%s[0-9]+' % letters + _VALUE, chunk):
                    cols = _col(letters)
                    break
    return rows, cols


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


def _xlsx_exact(zf: zipfile.ZipFile, name) -> tuple[int, int]:
    """calamine's placement rules: a cell without r goes right of the previous one, a row
    without r below the previous one; a cell counts once it has content."""
    row = col = rows = cols = 0
    cell = None

    def start(tag, attrs):
        nonlocal row, col, rows, cols, cell
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
        elif cell is not None:
            rows, cols, cell = max(rows, cell + 1), max(cols, col + 1), None

    def end(tag):
        nonlocal row, col, cell
        tag = tag.rpartition(":")[2]
        if tag == "row":
            row, col = row + 1, 0
        elif tag == "c":
            col, cell = col + 1, None

    _expat(zf, name, start, end)
    return rows, cols


_ODS_KINDS = {"table": 1, "table-row": 2, "table-cell": 3, "covered-table-cell": 3}


def _ods_extents(zf: zipfile.ZipFile, name) -> list[tuple[int, int]]:
    """Per table, (rows, columns) up to the last cell with an office:value-type (calamine
    ignores cells without one), repeats expanded."""
    extents, depth, row, rep, col, rows, cols, filled = [], 0, 0, 1, 0, 0, 0, False
    kinds: dict[str, int] = {}      # tag -> kind, so most elements cost one dict lookup

    def kind(tag):
        if tag not in kinds:
            kinds[tag] = _ODS_KINDS.get(tag.rpartition(":")[2], 0)
        return kinds[tag]

    def start(tag, attrs):
        nonlocal depth, row, rep, col, rows, cols, filled
        k = kind(tag)
        if not k:
            return
        n, valued = 1, False
        for key, value in attrs.items():
            if key.endswith("-repeated"):
                n = max(n, int(value))
            elif key.endswith("value-type"):
                valued = True
        if k == 3:
            if valued:
                cols, filled = max(cols, col + n), True
            col += n
        elif k == 2:
            rep, col, filled = n, 0, False
        else:
            depth += 1
            if depth == 1:                  # a nested table counts into its outer one
                row = rows = cols = 0

    def end(tag):
        nonlocal depth, row, rows
        k = kind(tag)
        if k == 2:
            rows = row + rep if filled else rows
            row += rep
        elif k == 1:
            depth -= 1
            if depth == 0:
                extents.append((rows, cols))

    _expat(zf, name, start, end)
    if depth:
        extents.append((rows, cols))        # an unclosed table still costs calamine a grid
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


def _check_xls(path: Path) -> None:
    """calamine parses every sheet at open, so measure them all in the BIFF records first."""
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
            while pos < len(data) - 8:
                kind, length, row, col = record(data, pos)
                if kind in _VALUE_RECORDS:
                    if kind == 0x00BD and length >= 6:      # MULRK: last column at the end
                        col = struct.unpack_from("<H", data, pos + 2 + length)[0]
                    if row >= rows:
                        rows = row + 1
                    if col >= cols:
                        cols = col + 1
                elif kind == 0x0809:
                    depth += 1
                elif kind == 0x000A:
                    depth -= 1
                pos += 4 + length
                if depth <= 0:
                    break
            extents[start] = rows, cols
        # every BOUNDSHEET costs calamine a grid, even when several point at one substream
        _check_extents((f"sheet {n + 1}", *extents[pos]) for n, pos in enumerate(sheets or [0]))
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile("corrupt", f"xls: {exc}"[:200]) from None
