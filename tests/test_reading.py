"""importers.reading: every format reads back with true row numbers; hostile files fail cleanly.

Files are generated in tmp_path: xlsx with openpyxl, xls with xlwt, ods with odfpy,
CSV by hand. tests/data/encrypted.xlsx is a real password-protected workbook
(password "secret", made with msoffcrypto-tool) because nothing here can encrypt.
"""
import csv
import datetime
import io
import pickle
import random
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from importers.reading import (
    MAX_CELLS,
    Sheet,
    UnreadableFile,
    detect_format,
    open_sheets,
    read_bare,
)

DATA = Path(__file__).parent / "data"

TITLE = "科右中旗2021年京蒙协作需求统计表"
HEADER = ("序号", "项目名称", "建设性质", "项目总投资（万元）", "京蒙资金", "地方自筹资金")
# Spreadsheet rows 1..6 as a person sees them; row 3 is blank on purpose.
ANNEX = [
    (TITLE,),
    HEADER,
    (),
    ("合计", None, None, 3000.5, "1,500.5", 1500),
    (1, "科右中旗肉牛改良项目", "新建", 1500.25, "１２３", None),
    (2, "巴彦呼舒镇\n嘎查道路", "续建", 0, 1500.25, None),
]


def expect_annex(rows):
    """The rows read back equal ANNEX, position by position, blanks as None."""
    assert len(rows) == len(ANNEX)
    width = len(HEADER)
    for number, (got, want) in enumerate(zip(rows, ANNEX), start=1):
        got = tuple(got) + (None,) * (width - len(got))
        want = tuple(want) + (None,) * (width - len(want))
        assert got == want, f"row {number}"
    # numbers stay numbers, text stays text (the caller parses)
    assert isinstance(rows[3][3], float) and rows[3][4] == "1,500.5"
    assert rows[4][4] == "１２３" and rows[4][5] is None


# ---------------------------------------------------------------- writers
def write_xlsx(path, sheets, hidden=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_xls(path, sheets, hidden=()):
    import xlwt      # dev extra xlwt==1.3.0: fail loudly, never skip, if it is missing

    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        if name in hidden:
            ws.visibility = 1
    wb.save(str(path))
    return path


def write_ods(path, sheets, hidden=()):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="hiddentable", family="table")
    hidden_style.addElement(TableProperties(display=False))
    doc.automaticstyles.addElement(hidden_style)
    for name, rows in sheets.items():
        table = Table(name=name, stylename=hidden_style) if name in hidden else Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                if value is None:
                    cell = TableCell()
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string")
                    for line in str(value).split("\n"):
                        cell.addElement(P(text=line))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    Path(path).write_bytes(buf.getvalue().encode(encoding))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}


def padded(rows, top=3, left=2):
    """The same table moved down `top` rows and right `left` columns."""
    return [()] * top + [(None,) * left + tuple(r) for r in rows]


# ---------------------------------------------------------------- every format
@pytest.mark.parametrize("fmt", WRITERS)
def test_annex_table_reads_back_with_true_row_numbers(tmp_path, fmt):
    path = WRITERS[fmt](tmp_path / f"annex.{fmt}", {"2021年": ANNEX})
    assert detect_format(path) == fmt
    (sheet,) = open_sheets(path)
    assert (sheet.name, sheet.index, sheet.hidden) == ("2021年", 0, False)
    rows = list(sheet.rows())
    expect_annex(rows)
    assert rows[2] == () or all(v is None for v in rows[2])      # blank row 3 is still yielded
    assert list(sheet.rows()) == rows                           # re-iterable, from row 1 again


@pytest.mark.parametrize("fmt", WRITERS)
def test_empty_rows_and_columns_before_the_data_are_padded(tmp_path, fmt):
    """calamine starts at the first used cell; reading.py must not."""
    path = WRITERS[fmt](tmp_path / f"offset.{fmt}", {"S": padded(ANNEX)})
    rows = list(open_sheets(path)[0].rows())
    assert len(rows) == 3 + len(ANNEX)
    for number in (1, 2, 3):
        assert all(v is None for v in rows[number - 1])
    assert rows[3][2] == TITLE                     # C4 is row 4, column 3
    assert rows[4][2:8] == HEADER                  # C5
    assert rows[4][:2] == (None, None)
    assert all(v is None for v in rows[5])         # the blank row inside the table is row 6
    assert rows[6][2:4] == ("合计", None) and rows[6][5] == 3000.5   # F7
    assert rows[7][6] == "１２３"                   # G8
    assert all(len(r) == len(rows[4]) for r in rows if r)


@pytest.mark.parametrize("fmt", WRITERS)
def test_sheets_keep_order_names_and_hidden_flag(tmp_path, fmt):
    sheets = {"2023年": [("c",)], "附表1": [("a",)], "隐藏": [("h",)], "2022年": [("b",)]}
    path = WRITERS[fmt](tmp_path / f"multi.{fmt}", sheets, hidden={"隐藏"})
    got = open_sheets(path)
    assert [s.name for s in got] == list(sheets)
    assert [s.index for s in got] == [0, 1, 2, 3]
    assert [s.hidden for s in got] == [False, False, True, False]
    assert [list(s.rows()) for s in got] == [[("c",)], [("a",)], [("h",)], [("b",)]]


def test_xlsx_keeps_types_merges_and_skips_chart_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附表"
    ws["A1"] = TITLE
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"], ws["C2"] = datetime.datetime(2021, 3, 1, 8, 30), True, 7
    ws["F40"].font = openpyxl.styles.Font(bold=True)  # styled but empty: not data
    wb.create_chartsheet("图表")
    very = wb.create_sheet("very")
    very.sheet_state = "veryHidden"
    very["A1"] = 1
    wb.save(tmp_path / "types.xlsx")
    sheets = open_sheets(tmp_path / "types.xlsx")
    assert [(s.name, s.index, s.hidden) for s in sheets] == [("附表", 0, False), ("very", 2, True)]
    rows = list(sheets[0].rows())
    # merged A1:D1 keeps its value in A1 only; empty D1 does not widen the sheet
    assert rows == [(TITLE, None, None), (datetime.datetime(2021, 3, 1, 8, 30), True, 7)]


def test_fixture_annex_workbook():
    sheets = open_sheets(Path(__file__).parents[1] / "fixtures/keyouzhongqi-2021-2025/annex.xlsx")
    assert [s.name for s in sheets] == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    rows = list(sheets[0].rows())
    assert rows[0][0].startswith("科右中旗2021年")
    assert rows[2][:2] == ("序号", "项目名称")
    assert rows[3][0] == "科右中旗合计25个" and rows[3][7] == 11110


def test_detection_is_by_content_not_extension(tmp_path):
    xlsx = write_xlsx(tmp_path / "really_xlsx.csv", {"S": ANNEX})
    text = write_csv(tmp_path / "really_csv.xlsx", ANNEX)
    assert detect_format(xlsx) == "xlsx"
    assert detect_format(text) == "csv"
    expect_annex(list(open_sheets(xlsx)[0].rows()))
    expect_annex(_as_annex(list(open_sheets(text)[0].rows())))


def test_read_bare_counts_every_cell(tmp_path):
    path = write_xlsx(tmp_path / "bare.xlsx", {"A": [(1, 2, 3), (4, 5, 6)], "B": padded([(7, 8)], 1, 0)})
    assert read_bare(path) == 6 + 2 * 2     # B: blank row 1 padded to the data width
    assert read_bare(write_xls(tmp_path / "bare.xls", {"A": [(1, 2, 3), (4, 5, 6)]})) == 6


def test_sheet_from_rows_for_callers_tests():
    sheet = Sheet.from_rows("S", [["a", None], []], index=2, hidden=True)
    assert (sheet.name, sheet.index, sheet.hidden) == ("S", 2, True)
    assert list(sheet.rows()) == list(sheet.rows()) == [("a", None), ()]


# ---------------------------------------------------------------- CSV
def _as_annex(rows):
    """CSV has no types: numbers come back as the text written."""
    def back(v):
        try:
            return float(v) if isinstance(v, str) and v[0] in "0123456789" and "," not in v else v
        except ValueError:
            return v
    return [tuple(back(v) for v in row) for row in rows]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "annex.csv", ANNEX, encoding, delimiter)
    assert detect_format(path) == "csv"
    (sheet,) = open_sheets(path)
    assert (sheet.name, sheet.index, sheet.hidden) == ("annex", 0, False)
    rows = list(sheet.rows())
    assert rows[2] == ()                                  # the blank line is row 3
    assert rows[5][1] == "巴彦呼舒镇\n嘎查道路"              # quoted multi-line cell: one cell
    assert rows[3][4] == "1,500.5" and rows[4][4] == "１２３" and rows[4][5] is None
    expect_annex(_as_annex(rows))


def test_csv_prefix_cut_inside_a_character(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("项目名称,说明\n甲," + "项" * 30000 + "\n", encoding="utf-8")   # 64 KB ends mid-character
    assert detect_format(path) == "csv"
    rows = list(open_sheets(path)[0].rows())
    assert rows[1] == ("甲", "项" * 30000)


def test_csv_multiline_cells_keep_record_numbers(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('a,"line1\nline2\nline3"\nb,x\n\nc,\n', encoding="utf-8")
    assert list(open_sheets(path)[0].rows()) == [("a", "line1\nline2\nline3"), ("b", "x"), (), ("c", None)]


def test_csv_excel_sep_line_sets_the_delimiter(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\n项目名称;项目总投资\n甲;1,5\n", encoding="utf-8")
    assert list(open_sheets(path)[0].rows()) == [("项目名称", "项目总投资"), ("甲", "1,5")]


def test_csv_encoding_errors(tmp_path):
    bad = tmp_path / "latin.csv"
    bad.write_bytes("项目,".encode("utf-8") + b"\x80\x80\xff,1\n")
    with pytest.raises(UnreadableFile) as info:
        open_sheets(bad)
    assert info.value.code == "unsupported_encoding"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("项目\t1\n".encode("utf-16"))
    with pytest.raises(UnreadableFile) as info:
        detect_format(utf16)
    assert info.value.code == "unsupported_encoding"


def test_csv_bad_bytes_after_the_sniffed_prefix_fail_while_reading(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(("项目,1\n" * 20000).encode("utf-8") + b"\xff\xfe,2\n")
    (sheet,) = open_sheets(path)
    with pytest.raises(UnreadableFile) as info:
        list(sheet.rows())
    assert info.value.code == "unsupported_encoding"


def test_csv_too_many_cells_fails_while_reading(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(("1," * 999 + "1\n") * (MAX_CELLS // 1000 + 1))
    with pytest.raises(UnreadableFile) as info:
        list(open_sheets(path)[0].rows())
    assert info.value.code == "too_many_cells"


# ---------------------------------------------------------------- hostile files
def minimal_xlsx(path, sheet_data, dimension="A1", after=""):
    """A hand-written xlsx whose sheet XML is exactly `sheet_data` (and `after` it, e.g. <mergeCells>)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types {ns}package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships {ns}package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {ns}spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
                   '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships {ns}package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}spreadsheetml/2006/main"><dimension ref="{dimension}"/>'
                   f"<sheetData>{sheet_data}</sheetData>{after}</worksheet>")
    return path


def minimal_ods(path, table_xml, tables=1):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
        z.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
                   + "".join(f'<table:table table:name="S{n}">{table_xml}</table:table>' for n in range(tables))
                   + "</office:spreadsheet></office:body>"
                   "</office:document-content>", compress_type=zipfile.ZIP_DEFLATED)
    return path


def fails_with(code, path, **kwargs):
    with pytest.raises(UnreadableFile) as info:
        open_sheets(path, **kwargs)
    error = info.value
    assert error.code == code, str(error)
    zh, en = error.message("zh"), error.message("en")
    assert zh and en and zh != en
    assert not isinstance(error.__cause__, Exception) or isinstance(error.__cause__, UnreadableFile)
    return error


def test_empty_and_too_large(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    fails_with("empty", empty)
    with pytest.raises(UnreadableFile, match="empty"):
        detect_format(empty)
    big = write_xlsx(tmp_path / "big.xlsx", {"S": ANNEX})
    fails_with("too_large", big, max_bytes=1000)


def test_zip_bomb_is_too_large(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    write_xlsx(bomb, {"S": ANNEX})
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * 3_000_000)     # 3 MB -> ~3 KB
    assert bomb.stat().st_size < 100_000
    fails_with("too_large", bomb, max_bytes=100_000)                # > 20 x max_bytes
    assert open_sheets(bomb)                                         # fine under the default


def test_zip_declaring_over_500_mb_is_too_large(tmp_path):
    data = bytearray(write_xlsx(tmp_path / "x.xlsx", {"S": ANNEX}).read_bytes())
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 600 * 2**20)         # uncompressed size in the directory
    (tmp_path / "declared.xlsx").write_bytes(bytes(data))
    fails_with("too_large", tmp_path / "declared.xlsx")


def test_encrypted_xlsx():
    error = fails_with("encrypted", DATA / "encrypted.xlsx")
    assert "EncryptedPackage" in error.detail
    with pytest.raises(UnreadableFile, match="encrypted"):
        detect_format(DATA / "encrypted.xlsx")


def test_damaged_ole2_containers(tmp_path):
    """A broken container still reveals an encrypted package by its stream name."""
    for source, code in ((DATA / "encrypted.xlsx", "encrypted"),
                         (write_xls(tmp_path / "a.xls", {"S": ANNEX}), "corrupt")):
        data = bytearray(source.read_bytes())
        struct.pack_into("<H", data, 30, 7)                            # impossible sector size
        (tmp_path / "damaged.xlsx").write_bytes(bytes(data))
        fails_with(code, tmp_path / "damaged.xlsx")


@pytest.mark.parametrize("make, code", [
    (lambda p: p.write_bytes(write_xlsx(p.with_suffix(".tmp"), {"S": ANNEX}).read_bytes()[:1500]), "corrupt"),
    (lambda p: p.write_bytes(random.Random(0).randbytes(5000)), "not_a_spreadsheet"),
    (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "document"),
    (lambda p: p.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>"), "web_page"),
    (lambda p: p.write_bytes(b"a,b\n1,\x002\n"), "not_a_spreadsheet"),
])
def test_garbage(tmp_path, make, code):
    path = tmp_path / "upload.xlsx"
    make(path)
    fails_with(code, path)


def test_other_office_files_are_not_spreadsheets(tmp_path):
    docx = tmp_path / "report.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    refused = fails_with("document", docx)  # a .docx renamed .xlsx: said to be a Word document, not a sheet
    assert "word" in refused.detail and "Word 文档" in refused.message() and "工作表" not in refused.message()
    xlsb = tmp_path / "book.xlsx"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("xl/workbook.bin", b"\0")
    fails_with("not_a_spreadsheet", xlsb)
    # an OLE2 file without a Workbook stream (an old .doc): rename the xls stream
    xls = write_xls(tmp_path / "a.xls", {"S": ANNEX}).read_bytes()
    doc = tmp_path / "old.xls"
    doc.write_bytes(xls.replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le")))
    fails_with("not_a_spreadsheet", doc)


def test_broken_sheet_xml_fails_as_corrupt_when_read(tmp_path):
    path = minimal_xlsx(tmp_path / "broken.xlsx", '<row r="1"><c r="A1" t="s"><v>7</v></c></row><row r="2"><c r="B2"><v>1')
    try:
        sheets = open_sheets(path)
        for sheet in sheets:
            list(sheet.rows())
    except UnreadableFile as error:
        assert error.code == "corrupt"
    else:
        pytest.fail("a broken sheet must not read")


@pytest.mark.parametrize("sheet_data", [
    # the 1.5 KB file that makes calamine ask for 550 GB and abort the process
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
    # the same far cell hidden behind an early, short row number
    '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>',
    # no r attributes: calamine places cells by counting
    "<row><c><v>1</v></c>" + "<c/>" * 16000 + "<c><v>2</v></c></row>" + "<row/>" * 200 + "<row><c><v>3</v></c></row>",
    # single quotes and a namespace prefix
    "<x:row xmlns:x='urn:x' r='1'><x:c r='A1'><x:v>1</x:v></x:c><x:c r='ZZ9000'><x:v>2</x:v></x:c></x:row>",
    # "/" and ">" inside attribute values must not make a value cell look empty
    '<row r="1"><c r="A1" a=">"><v>1</v></c><c r="XFD1048576" a="/>"><v>2</v></c></row>'
    '<row r="2"><c r="A2"><v>3</v></c></row>',
    # a comment must not reset the count of cells without r
    "<row><c><v>1</v></c>" + "<!-- </row><row> -->".join(["<c></c>" * 4000] * 4) + "<c><v>2</v></c></row>"
    + "<row></row>" * 200 + "<row><c><v>3</v></c></row>",
])
def test_xlsx_cell_bombs_are_refused_before_calamine_sees_them(tmp_path, sheet_data):
    error = fails_with("too_many_cells", minimal_xlsx(tmp_path / "bomb.xlsx", sheet_data))
    assert "rows" in error.detail


def test_xlsx_with_a_dtd_is_refused(tmp_path):
    """A DTD could give cells an r that calamine never sees; office files carry none."""
    path = minimal_xlsx(tmp_path / "dtd.xlsx", "<row><c><v>1</v></c></row>")   # r-less: the XML parser path
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b'<!DOCTYPE worksheet [<!ATTLIST c r CDATA "A1">]>' + parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert "DOCTYPE" in fails_with("corrupt", path).detail


def test_xlsx_over_two_million_cells_but_honest(tmp_path):
    write_xlsx(tmp_path / "wide.xlsx", {"S": [("a",)]})
    wb = openpyxl.load_workbook(tmp_path / "wide.xlsx")
    wb["S"]["Z80000"] = 1                                         # 80,000 x 26 = 2.08 M
    wb.save(tmp_path / "wide.xlsx")
    fails_with("too_many_cells", tmp_path / "wide.xlsx")


def test_xlsx_styled_blank_cells_do_not_count(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目"
    wb.active["Z90000"].font = openpyxl.styles.Font(bold=True)   # formatted far away, no value
    wb.save(tmp_path / "styled.xlsx")
    assert list(open_sheets(tmp_path / "styled.xlsx")[0].rows()) == [("项目",)]


def test_xlsx_with_odd_markup_is_measured_exactly_and_still_reads(tmp_path):
    path = minimal_xlsx(tmp_path / "odd.xlsx", "<row><c><v>1</v></c><c/><c><v>2</v></c></row><row/>"
                        "<row><c r='B3' t='inlineStr'><is><t>甲</t></is></c></row>")
    assert list(open_sheets(path)[0].rows()) == [(1, None, 2), (None, None, None), (None, "甲", None)]


def test_xls_far_cells_are_too_many(tmp_path):
    import xlwt

    wb = xlwt.Workbook()
    for n in range(3):
        ws = wb.add_sheet(f"S{n}")
        ws.write(0, 0, 1)
        ws.write(65535, 255, 2)            # ~0.7 GB per sheet once calamine opens it
    wb.save(str(tmp_path / "bomb.xls"))
    fails_with("too_many_cells", tmp_path / "bomb.xls")


@pytest.mark.parametrize("table_xml", [
    '<table:table-row table:number-rows-repeated="3000"><table:table-cell table:number-columns-repeated="16384" '
    'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>',
    '<table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>'
    '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    '<table:table-row><table:table-cell table:number-columns-repeated="1023"/>'
    '<table:table-cell office:value-type="float" office:value="2"/></table:table-row>',
])
def test_ods_repeat_bombs_are_too_many(tmp_path, table_xml):
    fails_with("too_many_cells", minimal_ods(tmp_path / "bomb.ods", table_xml))


def test_many_sheets_each_under_the_limit_are_too_many_together(tmp_path):
    """.ods and .xls sheets all live in memory at once once calamine opens the file."""
    one_sheet = ('<table:table-row table:number-rows-repeated="1900"><table:table-cell table:number-columns-repeated="1000" '
                 'office:value-type="float" office:value="1"/></table:table-row>')
    assert len(open_sheets(minimal_ods(tmp_path / "one.ods", one_sheet))) == 1    # 1.9 M alone is fine
    error = fails_with("too_many_cells", minimal_ods(tmp_path / "many.ods", one_sheet, tables=11))
    assert "all sheets" in error.detail


def test_backstop_when_the_markup_lies(tmp_path, monkeypatch):
    """If a sheet slips past the pre-scan, loading it still refuses the grid."""
    from importers import reading

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["Z80000"] = "a", 1                 # 80,000 x 26 = 2.08 M
    wb.save(tmp_path / "liar.xlsx")
    monkeypatch.setattr(reading, "_xlsx_extent", lambda zf, name: (1, 1, reading._MarksBuilder("liar")))
    (sheet,) = open_sheets(tmp_path / "liar.xlsx")
    with pytest.raises(UnreadableFile, match="too_many_cells"):
        next(sheet.rows())


def test_ods_trailing_repeats_as_libreoffice_writes_them_are_fine(tmp_path):
    path = minimal_ods(tmp_path / "lo.ods",
                       '<table:table-row><table:table-cell office:value-type="string"><text:p>项目</text:p></table:table-cell>'
                       '<table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
                       '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/>'
                       "</table:table-row>")
    assert list(open_sheets(path)[0].rows()) == [("项目",)]


def test_messages_and_pickling():
    codes = ["empty", "not_a_spreadsheet", "document", "web_page", "corrupt", "encrypted", "too_large", "too_many_cells",
             "too_many_merges", "unsupported_encoding"]
    seen = set()
    for code in codes:
        error = UnreadableFile(code, "detail")
        zh, en = error.message(), error.message("en")
        assert zh == error.message("zh-hans") and zh != en and zh and en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
        seen.add(zh)
        again = pickle.loads(pickle.dumps(error))            # Celery ships exceptions by pickle
        assert (again.code, again.detail) == (code, "detail")
    assert len(seen) == len(codes)
    assert UnreadableFile("not_a_spreadsheet").message("en") == \
        "The file is not a spreadsheet: upload an .xlsx, .xls, .ods or .csv file."


# ---------------------------------------------------------------- marks: formulas and merged cells
def marked(sheet):
    """(formula cells, merged areas) of a sheet, 0-based."""
    cells = sorted({(row, col) for col, rows in sheet.marks.formulas.items() for row in rows})
    return cells, list(sheet.marks.merges)


def test_xlsx_formulas_and_merges_are_marked(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B2"], ws["C3"], ws["D7"] = 1, "=A1*2", "text", 4     # openpyxl saves no cached value
    ws.merge_cells("A5:A7")
    ws.merge_cells("B5:C5")
    ws.merge_cells("A9:B9")                                 # below every value: never read, not kept
    wb.save(tmp_path / "f.xlsx")
    (sheet,) = open_sheets(tmp_path / "f.xlsx")
    assert marked(sheet) == ([(1, 1)], [(4, 0, 6, 0), (4, 1, 4, 2)])
    assert sheet.marks.formula(1, 1) and not sheet.marks.formula(0, 0) and not sheet.marks.formula(1, 2)
    assert list(sheet.rows())[1][:2] == (None, None)        # what calamine makes of it: a blank


def test_xlsx_cached_shared_and_array_formulas(tmp_path):
    cells = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
             '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
             '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c>'
             '<c r="C3"><f t="array" ref="C3:D4">A1:B2</f><v>1</v></c><c r="D3"><v>2</v></c></row>'
             '<row r="4"><c r="C4"><v>2</v></c><c r="D4"><v>4</v></c><c r="E4"><v>9</v></c>'
             '<c r="F4" t="inlineStr"><is><r><rPr><family val="2"/><sz val="11"/></rPr><t>富文本</t></r></is></c></row>')
    (sheet,) = open_sheets(minimal_xlsx(tmp_path / "s.xlsx", cells, after='<mergeCells count="1">'
                                        '<mergeCell ref="E1:E3"/><mergeCell ref="E4"/></mergeCells>'))
    assert marked(sheet) == ([(0, 1), (1, 1), (2, 1), (2, 2), (2, 3), (3, 2), (3, 3)], [(0, 4, 2, 4)])
    assert list(sheet.rows())[1][:2] == (2.0, 4.0)          # the cached value, as if typed


def test_xlsx_marks_across_chunks_and_in_prefixed_markup(tmp_path, monkeypatch):
    from importers import reading

    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}+1</f><v>{r + 1}</v></c></row>'
                    for r in range(1, 200))
    path = minimal_xlsx(tmp_path / "c.xlsx", cells)
    monkeypatch.setattr(reading, "_CHUNK", 37)              # every tag split from its cell somewhere
    (sheet,) = open_sheets(path)
    assert marked(sheet)[0] == [(r, 1) for r in range(199)]
    prefixed = minimal_xlsx(tmp_path / "x.xlsx", '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:f>A1</x:f>'
                            '<x:v>1</x:v></x:c></x:row>'.replace("<x:", "<").replace("</x:", "</"))
    data = zipfile.ZipFile(prefixed).read("xl/worksheets/sheet1.xml").decode()
    data = data.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace("</worksheet>", "</x:worksheet>")
    for tag in ("sheetData", "row", "c", "v", "f", "dimension"):
        data = data.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}", f"</x:{tag}")
    rewritten = tmp_path / "p.xlsx"
    with zipfile.ZipFile(prefixed) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    monkeypatch.setattr(reading, "_CHUNK", 2**20)
    (sheet,) = open_sheets(rewritten)
    assert marked(sheet) == ([(0, 1)], [])


def test_xlsx_marks_follow_the_sheet_not_the_part_name(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.active["A1"] = 1
    wb.create_sheet("B")["C3"] = "=1+1"
    wb.save(tmp_path / "two.xlsx")
    swapped = tmp_path / "swapped.xlsx"
    with zipfile.ZipFile(tmp_path / "two.xlsx") as src, zipfile.ZipFile(swapped, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":            # B first, still in worksheets/sheet2.xml
                text = data.decode()
                a, b = (re.search(f'<sheet [^>]*name="{n}"[^>]*/>', text).group(0) for n in "AB")
                data = text.replace(a, "\0").replace(b, a).replace("\0", b).encode()
            dst.writestr(info, data)
    sheets = open_sheets(swapped)
    assert [s.name for s in sheets] == ["B", "A"]
    assert marked(sheets[0])[0] == [(2, 2)] and marked(sheets[1])[0] == []


def test_xls_formula_and_mergedcells_records(tmp_path):
    import xlwt

    wb = xlwt.Workbook()
    wb.add_sheet("plain").write(0, 0, 1)
    ws = wb.add_sheet("marked")
    ws.write(0, 0, 1)
    ws.write(1, 2, xlwt.Formula("A1*3"))
    ws.write_merge(3, 5, 1, 2, "merged")
    ws.write(5, 3, 5)
    wb.save(str(tmp_path / "m.xls"))
    plain, sheet = open_sheets(tmp_path / "m.xls")
    assert marked(plain) == ([], []) and marked(sheet) == ([(1, 2)], [(3, 1, 5, 2)])


def test_ods_formulas_spans_and_matrices(tmp_path):
    cell = 'office:value-type="float" office:value="1"'
    table = (f'<table:table-row><table:table-cell {cell} table:formula="of:=1"/>'
             f'<table:table-cell {cell} table:number-rows-spanned="2" table:number-columns-spanned="2"/>'
             f'<table:covered-table-cell/><table:table-cell {cell} table:formula="of:={{1;2}}" '
             'table:number-matrix-rows-spanned="2" table:number-matrix-columns-spanned="1"/></table:table-row>'
             f'<table:table-row table:number-rows-repeated="2"><table:table-cell {cell} '
             'table:number-columns-repeated="2" table:formula="of:=2"/><table:covered-table-cell '
             f'table:number-columns-repeated="2"/><table:table-cell {cell}/></table:table-row>')
    (sheet,) = open_sheets(minimal_ods(tmp_path / "m.ods", table))
    formulas, merges = marked(sheet)
    assert formulas == [(0, 0), (0, 3), (1, 0), (1, 1), (1, 3), (2, 0), (2, 1)]
    assert merges == [(0, 1, 1, 2)]


def test_a_csv_is_named_after_the_name_it_was_uploaded_under(tmp_path):
    path = write_csv(tmp_path / "7-914f1be50241.csv", [("项目名称", "京蒙资金"), ("甲", "1")])
    assert open_sheets(path)[0].name == "7-914f1be50241"
    (sheet,) = open_sheets(path, name="附表2021.csv")
    assert sheet.name == "附表2021" and sheet.marks.formulas == {} and sheet.marks.merges == ()


def test_too_many_merged_areas(tmp_path):
    merges = "".join(f'<mergeCell ref="A{2 * n + 1}:B{2 * n + 1}"/>' for n in range(100_001))
    path = minimal_xlsx(tmp_path / "m.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>',
                        after=f"<mergeCells>{merges}</mergeCells>")
    fails_with("too_many_merges", path)


def test_formula_marks_are_bounded(tmp_path):
    """Marks cost memory too: repeated <f> tags and huge array areas cannot make them grow unbounded."""
    repeated = '<row r="1"><c r="A1">' + '<f t="array" ref="A1:XFD1048576">1</f>' * 100_001 + "<v>1</v></c></row>"
    fails_with("too_many_cells", minimal_xlsx(tmp_path / "areas.xlsx", repeated))
    same_cell = '<row r="1"><c r="A1">' + "<f>1</f>" * 200_000 + '<v>1</v></c><c r="J10"><v>2</v></c></row>'
    (sheet,) = open_sheets(minimal_xlsx(tmp_path / "same.xlsx", same_cell))
    assert marked(sheet)[0] == [(0, 0)]
    huge_area = '<row r="1"><c r="A1"><f t="array" ref="A1:XFD1048576">1</f><v>1</v></c><c r="C3"><v>2</v></c></row>'
    (sheet,) = open_sheets(minimal_xlsx(tmp_path / "huge.xlsx", huge_area))
    assert marked(sheet)[0] == [(r, c) for r in range(3) for c in range(3)]     # clipped to the sheet


def test_overlapping_merged_areas_are_refused(tmp_path):
    """Real merged areas never overlap; overlapping ones could make the parser's work quadratic."""
    cells = '<row r="1"><c r="A1"><v>1</v></c><c r="B3"><v>2</v></c></row>'
    merges = "".join(f'<mergeCell ref="A1:B{n}"/>' for n in range(2, 5))
    fails_with("corrupt", minimal_xlsx(tmp_path / "o.xlsx", cells, after=f"<mergeCells>{merges}</mergeCells>"))


def test_a_styled_blank_cell_is_empty_in_both_shapes_writers_use():
    from importers.reading import _VALUE_CELL

    assert not _VALUE_CELL.match(b'<c r="Z9" s="1"/>')  # Excel, WPS; openpyxl without lxml
    assert not _VALUE_CELL.match(b'<c r="Z9" s="1" t="n"></c>')  # openpyxl with lxml
    assert _VALUE_CELL.match(b'<c r="Z9" s="1"><v>1</v></c>') and _VALUE_CELL.match(b'<c r="Z9"><f>A1</f></c>')
