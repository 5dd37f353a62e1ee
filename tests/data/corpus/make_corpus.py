"""Write the corpus of real-world annex spreadsheets and expected.json, what each must do.

    .venv/bin/python tests/data/corpus/make_corpus.py

The files are committed with this script; run it again after changing a case (the output is the
same from run to run: fixed zip dates, no "now"). tests/importers/test_corpus.py imports each file
into a plan of 2021–2025 with the default categories and checks the outcome expected.json states:

  imported: {"rows": project rows read, "stated": 合计/小计 rows read, "warnings": codes, in order,
             "budgets": {project name: [total, 京蒙资金, 地方自筹资金]} for some files}
  refused:  {"errors": [[code, reason, sheet, row, column], ...]} — every error, in order; `reason`
             is the reader's code for an "unreadable" file, else null. A refused file writes nothing.

Most .xlsx files are written by hand (xlsx_bytes below) rather than with openpyxl, which cannot
store a formula's cached value, and to copy the markup of other programs (WPS) exactly.
Needs the dev extras: openpyxl is not used; xlwt (.xls) and odfpy (.ods) are.
"""

import csv
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
LIMIT = 200 * 1024  # every file stays below this

HEADER = ["序号", "项目名称", "建设\n性质（新建/续建）", "项目建设地点", "实施年度", "项目类别", "建设规模和建设内容",
          "项目总投资（万元）", "京蒙资金", "地方自筹资金", "京蒙协作资金主要用途", "项目实施单位"]
# Columns: A 序号, B 项目名称, C 建设性质, D 地点, E 实施年度, F 类别, G 内容, H 总投资, I 京蒙资金, J 地方自筹, K 用途, L 单位
ROAD, CATTLE, DOCTORS = "科右中旗嘎查道路硬化项目", "科右中旗肉牛改良项目", "科右中旗乡村医生培训项目"


def projects(year=2021):
    return [
        [1, ROAD, "新建", "巴彦呼舒镇", year, "基础设施类", "硬化道路 3 公里", 120.5, 100, 20.5, "道路建设", "旗交通运输局"],
        [2, CATTLE, "新建", "科右中旗各苏木镇", year, "产业合作类", "购置基础母牛 200 头", 300, 300, None, "购牛补贴", "旗农牧局"],
        [3, DOCTORS, "续建", "科右中旗", year, "人才培训类", "培训乡村医生 120 人次", 50, 40, 10, "培训费用", "旗卫健委"],
    ]


def annex(year=2021, rows=None):
    """Rows 1–3 title, unit, header; row 4 合计; rows 5–7 the three projects."""
    return [[f"科右中旗{year}年“十四五”京蒙帮扶协作需求统计表"], [None] * 11 + ["单位：万元"], HEADER,
            ["合计3个", None, None, None, None, None, None, 470.5, 440, 30.5], *(rows or projects(year))]


BUDGETS = {ROAD: ["120.5", "100", "20.5"], CATTLE: ["300", "300", "0"], DOCTORS: ["50", "40", "10"]}
IMPORTED = {"outcome": "imported", "rows": 3, "stated": 1, "warnings": ["new_unit"] * 3 + ["continued_without_earlier_year"]}


# ---------------------------------------------------------------- a small xlsx writer
class F:
    """A formula cell; `cached`: the result the program saved with it (None: none saved)."""

    def __init__(self, formula, cached=None):
        self.formula, self.cached = formula, cached


class Styled:
    """A number with a style of STYLES (e.g. a date format)."""

    def __init__(self, number, style):
        self.number, self.style = number, style


def col_name(index):
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


EXCEL_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
STYLES = {"number": 1, "year_date": 2, "date": 3}

# What WPS 表格 (Kingsoft) writes: 宋体 12 with charset 134, its own number formats (176 "0.00_ "),
# a border on every cell, cellStyles named 常规, and docProps/custom.xml with KSOProductBuildVer.
WPS_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">
<numFmts count="3"><numFmt numFmtId="176" formatCode="0.00_ "/><numFmt numFmtId="177" formatCode="yyyy&quot;年&quot;"/><numFmt numFmtId="178" formatCode="0_ "/></numFmts>
<fonts count="3"><font><sz val="12"/><name val="宋体"/><charset val="134"/></font><font><b/><sz val="14"/><name val="方正小标宋简体"/><charset val="134"/></font><font><sz val="10"/><name val="仿宋_GB2312"/><charset val="134"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/></xf></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment vertical="center"/></xf>
<xf numFmtId="176" fontId="2" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="177" fontId="2" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"><alignment horizontal="center" vertical="center"/></xf></cellXfs>
<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>
<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>
</styleSheet>"""
WPS_CUSTOM = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer"><vt:lpwstr>2052-11.1.0.14309</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="ICV"><vt:lpwstr>5F1C2B7E8D0A4B36A1C2E3F405162738</vt:lpwstr></property></Properties>"""


def sheet_xml(rows, *, merges=(), protection="", dimension=None, trailing="", wps=False):
    strings = []
    out = []
    row_attrs = ' spans="1:12" ht="24" customHeight="1"' if wps else ""
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{col_name(c)}{r}"
            style = ' s="1"' if wps else ""
            if value is None:
                if wps:
                    cells.append(f'<c r="{ref}" s="1"/>')
                continue
            if isinstance(value, F):
                cached = "" if value.cached is None else f"<v>{value.cached}</v>"
                cells.append(f'<c r="{ref}"{style}><f>{escape(value.formula)}</f>{cached}</c>')
            elif isinstance(value, Styled):
                cells.append(f'<c r="{ref}" s="{STYLES[value.style]}"><v>{value.number}</v></c>')
            elif isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{ref}"{style} t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
        out.append(f'<row r="{r}"{row_attrs}>{"".join(cells)}</row>')
    width = max(len(row) for row in rows)
    dimension = dimension or f"A1:{col_name(width - 1)}{len(rows)}"
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    views = ('<sheetViews><sheetView tabSelected="1" workbookViewId="0"><selection activeCell="A1" sqref="A1"/>'
             '</sheetView></sheetViews><sheetFormatPr defaultColWidth="9" defaultRowHeight="14.25" outlineLevelRow="0"/>'
             if wps else '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           f'{"<sheetPr/>" if wps else ""}<dimension ref="{dimension}"/>{views}'
           f'<sheetData>{"".join(out)}{trailing}</sheetData>{protection}{merged}'
           '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')
    return xml, strings


def xlsx_bytes(sheets, *, merges=(), protection="", workbook_protection="", dimension=None, trailing="", wps=False):
    """sheets: {name: rows}. Options apply to the first sheet."""
    parts, all_strings, offset = {}, [], 0
    for n, (name, rows) in enumerate(sheets.items(), start=1):
        first = n == 1
        xml, strings = sheet_xml(rows, merges=merges if first else (), protection=protection if first else "",
                                 dimension=dimension if first else None, trailing=trailing if first else "", wps=wps)
        if offset:  # shared string indexes run over the whole workbook
            for i in range(len(strings) - 1, -1, -1):
                xml = xml.replace(f't="s"><v>{i}</v>', f't="s"><v>{i + offset}</v>')
        all_strings += strings
        offset += len(strings)
        parts[f"xl/worksheets/sheet{n}.xml"] = xml
    names = list(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for n in range(1, len(names) + 1))
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        + ('<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>' if wps else "")
        + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            + ('<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>' if wps else "")
            + "</Relationships>")
    application = "WPS 表格" if wps else "Microsoft Excel"
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f"<Application>{application}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
           f"{'<AppVersion>11.1.0</AppVersion>' if wps else '<AppVersion>16.0300</AppVersion>'}</Properties>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{'WPS_1700000000' if wps else '科右中旗乡村振兴局'}</dc:creator>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2023-03-01T08:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2023-03-02T08:00:00Z</dcterms:modified></cp:coreProperties>')
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'{workbook_protection}<bookViews><workbookView windowWidth="28800" windowHeight="12540"/></bookViews><sheets>'
                + "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1))
                + '</sheets><calcPr calcId="191029"/></workbook>')
    n = len(names)
    workbook_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                               for i in range(1, n + 1))
                     + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                     f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                     "</Relationships>")
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(all_strings)}" '
              f'uniqueCount="{len(all_strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in all_strings) + "</sst>")
    files = {"[Content_Types].xml": content_types, "_rels/.rels": rels, "docProps/app.xml": app,
             "docProps/core.xml": core, "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": workbook_rels,
             "xl/styles.xml": WPS_STYLES if wps else EXCEL_STYLES, "xl/sharedStrings.xml": shared, **parts}
    if wps:
        files["docProps/custom.xml"] = WPS_CUSTOM
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in files.items():
            zf.writestr(zipfile.ZipInfo(name, ZIP_DATE), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_bytes(rows, encoding):
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode(encoding)


def xls_bytes(rows, *, formulas=None, merges=()):
    """formulas: {(row, col): formula} (0-based); merges: (r1, r2, c1, c2) with the value written once."""
    import xlwt  # dev extra

    formulas = formulas or {}
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("2021年")
    merged = {(r1, c1): (r1, r2, c1, c2) for r1, r2, c1, c2 in merges}
    covered = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                sheet.write_merge(*merged[(r, c)], value)
            elif (r, c) in formulas:
                sheet.write(r, c, xlwt.Formula(formulas[(r, c)]))
            elif value is not None and (r, c) not in covered:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows, *, formulas=None, spans=None):
    """formulas: {(row, col): (formula, cached)}; spans: {(row, col): rows spanned} (0-based)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    formulas, spans = formulas or {}, spans or {}
    doc = OpenDocumentSpreadsheet()
    table = Table(name="2021年")
    covered = {(r + i, c) for (r, c), n in spans.items() for i in range(1, n)}
    for r, row in enumerate(rows):
        element = TableRow()
        for c, value in enumerate(row):
            if (r, c) in covered:
                element.addElement(CoveredTableCell())
                continue
            extra = {"numberrowsspanned": str(spans[(r, c)])} if (r, c) in spans else {}
            if (r, c) in formulas:
                formula, cached = formulas[(r, c)]
                cell = TableCell(valuetype="float", value=str(cached), formula=formula, **extra)
                cell.addElement(P(text=str(cached)))
            elif value is None:
                cell = TableCell(**extra)
            elif isinstance(value, str):
                cell = TableCell(valuetype="string", **extra)
                cell.addElement(P(text=value))
            else:
                cell = TableCell(valuetype="float", value=str(value), **extra)
                cell.addElement(P(text=str(value)))
            element.addElement(cell)
        table.addElement(element)
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return _zip_dates(buffer.getvalue())


def _zip_dates(data: bytes) -> bytes:
    """The same archive with every entry dated ZIP_DATE (and meta.xml without its dates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "meta.xml":
                body = re.sub(rb"<meta:(creation-date|date)>[^<]*</meta:\1>|<dc:date>[^<]*</dc:date>", b"", body)
            target.writestr(zipfile.ZipInfo(info.filename, ZIP_DATE), body,
                            zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_cells(rows, changes):
    """A copy of rows with {(row, col): value} changed, 1-based rows and 0-based columns as in a sheet."""
    rows = [list(row) for row in rows]
    for (r, c), value in changes.items():
        rows[r - 1] += [None] * (c + 1 - len(rows[r - 1]))
        rows[r - 1][c] = value
    return rows


def refused(*errors):
    return {"outcome": "refused", "errors": [list(e) for e in errors]}


H, I, J, E, F_, G, L = 7, 8, 9, 4, 5, 6, 11  # column indexes


# ---------------------------------------------------------------- the cases
def cases():
    good = xlsx_bytes({"2021年": annex()})
    yield ("truncated.xlsx", "An xlsx cut off half way (an interrupted download): its zip has no central directory.",
           good[: len(good) // 2], refused(["unreadable", "corrupt", "truncated.xlsx", None, ""]))
    yield ("csv_renamed.xlsx", "A UTF-8 CSV someone renamed to .xlsx: read as what it is, by its content.",
           csv_bytes(annex(), "utf-8"), IMPORTED)
    yield ("empty.xlsx", "A 0-byte file.", b"", refused(["unreadable", "empty", "empty.xlsx", None, ""]))
    yield ("encrypted.xlsx", "A workbook with an open password (\"secret\", made with msoffcrypto-tool; "
           "a copy of tests/data/encrypted.xlsx): its cells cannot be read without the password.",
           (HERE.parent / "encrypted.xlsx").read_bytes(), refused(["unreadable", "encrypted", "encrypted.xlsx", None, ""]))
    table = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" if v is not None else "<td></td>" for v in row)
                    + "</tr>" for row in annex())
    html = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
            '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><!--[if gte mso 9]><xml>'
            "<x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet><x:Name>2021年</x:Name></x:ExcelWorksheet>"
            "</x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]--></head><body><table border=\"1\">"
            f"{table}</table></body></html>")
    yield ("html_saved_as.xls", "An HTML table saved as .xls, as web systems export \"Excel\" files.",
           html.encode("utf-8"), refused(["unreadable", "web_page", "html_saved_as.xls", None, ""]))
    big = ("新建圈舍、购置基础母牛、配套青贮窖。" * 60000)[: 2**20]  # 1,048,576 characters
    yield ("one_mb_cell.xlsx", "A 1 MB text in one 建设规模和建设内容 cell (Excel itself stops at 32,767 characters).",
           xlsx_bytes({"2021年": with_cells(annex(), {(6, G): big})}),
           refused(["text_too_long", None, "2021年", 6, "建设规模和建设内容"]))
    trailing = '<row spans="1:12" ht="14.25" customHeight="1"/>' * 100_000
    yield ("trailing_empty_rows.xlsx", "100,000 empty rows after the table (formatted rows a person cannot see), "
           "and a <dimension> claiming A1:L100007.",
           xlsx_bytes({"2021年": annex()}, dimension="A1:L100007", trailing=trailing), IMPORTED)

    # Formulas: the cell would read as its saved result (or blank: 0) — a number nobody typed.
    cached = with_cells(annex(), {(4, H): F("SUM(H5:H7)", 470.5), (4, I): F("SUM(I5:I7)", 440),
                                  (4, J): F("SUM(J5:J7)", 30.5), **{(r, H): F(f"I{r}+J{r}", v) for r, v in
                                                                     ((5, 120.5), (6, 300), (7, 50))}})
    yield ("formula_cached.xlsx", "Amounts as formulas with their saved results, as Excel saves them: 合计 =SUM(), "
           "项目总投资 =京蒙资金+地方自筹.", xlsx_bytes({"2021年": cached}),
           # The 合计 row's =SUM() results are what the sheet states (a warning); a project row's are refused.
           refused(*[["formula_in_amount", None, "2021年", r, "项目总投资（万元）"] for r in (5, 6, 7)]))
    uncached = with_cells(annex(), {(r, I): F(f"H{r}-J{r}") for r in (5, 6, 7)})
    yield ("formula_uncached.xlsx", "京蒙资金 as formulas without saved results (as scripts write them): "
           "they would read as blank, i.e. 0.", xlsx_bytes({"2021年": uncached}),
           refused(*[["formula_in_amount", None, "2021年", r, "京蒙资金"] for r in (5, 6, 7)]))
    yield ("formula.xls", "An .xls whose 项目总投资 of one row is a FORMULA record.",
           xls_bytes(annex(), formulas={(5, H): "I6+J6"}),
           refused(["formula_in_amount", None, "2021年", 6, "项目总投资（万元）"]))
    yield ("formula.ods", "An .ods whose 项目总投资 of one row has a table:formula (with its value).",
           ods_bytes(annex(), formulas={(4, H): ("of:=[.I5]+[.J5]", 120.5)}),
           refused(["formula_in_amount", None, "2021年", 5, "项目总投资（万元）"]))

    # Merged cells over data rows.
    # The category written once for rows 5–6, the unit once for rows 5–7.
    merged_rows = with_cells(annex(), {(6, F_): None, (5, L): "旗农牧局", (6, L): None, (7, L): None})
    yield ("merged_text_rows.xlsx", "项目类别 merged over rows 5–6 and 项目实施单位 over rows 5–7: each row takes the "
           "value a reader sees in the merged cell.",
           xlsx_bytes({"2021年": merged_rows}, merges=["F5:F6", "L5:L7"]),
           {"outcome": "imported", "rows": 3, "stated": 1,
            # row 5's new unit, then rows 5–6 and 5–7 filled (said once each, on row 6), then row 7
            "warnings": ["new_unit", "merged_cells_filled", "merged_cells_filled", "continued_without_earlier_year"],
            "categories": {ROAD: "基础设施类", CATTLE: "基础设施类", DOCTORS: "人才培训类"},
            "units": {ROAD: "旗农牧局", CATTLE: "旗农牧局", DOCTORS: "旗农牧局"}})
    merged_amount = with_cells(annex(), {(5, I): 400, (6, I): None})
    yield ("merged_amount.xlsx", "京蒙资金 merged over two projects (one amount for rows 5–6).",
           xlsx_bytes({"2021年": merged_amount}, merges=["I5:I6"]),
           refused(["merged_amount", None, "2021年", 5, "京蒙资金"]))
    yield ("merged_amount.xls", "The same in an .xls (a MERGEDCELLS record).",
           xls_bytes(merged_amount, merges=[(4, 5, I, I)]), refused(["merged_amount", None, "2021年", 5, "京蒙资金"]))
    yield ("merged_amount.ods", "The same in an .ods (table:number-rows-spanned).",
           ods_bytes(merged_amount, spans={(4, I): 2}), refused(["merged_amount", None, "2021年", 5, "京蒙资金"]))

    nbsp = with_cells(annex(rows=projects()), {
        (5, H): "１２０．５", (5, I): "１００", (5, J): "\u00a020.5\u00a0",
        (6, H): "1\u00a0300", (6, I): "1\u00a0300\u00a0万元", (6, J): "\u3000",
        (7, H): "５０", (7, I): "４０\u00a0", (7, J): " 10 ", (7, E): "２０２１",
        (4, H): "1\u00a0470.5", (4, I): "1\u00a0440", (4, J): "30.5"})
    yield ("fullwidth_nbsp.xlsx", "Amounts typed as text with full-width digits (１２０．５), non-breaking and "
           "ideographic spaces (1\\u00a0300 万元, \\u00a020.5\\u00a0, a cell of one \\u3000), a full-width year.",
           xlsx_bytes({"2021年": nbsp}),
           {**IMPORTED, "budgets": {ROAD: ["120.5", "100", "20.5"], CATTLE: ["1300", "1300", "0"],
                                    DOCTORS: ["50", "40", "10"]}})
    yield ("bom.csv", "A CSV saved by Excel as \"CSV UTF-8\": a byte-order mark first.",
           csv_bytes(annex(), "utf-8-sig"), {**IMPORTED, "budgets": BUDGETS})
    yield ("gbk.csv", "A CSV saved by Excel or WPS on Chinese Windows: GBK (read as GB18030, its superset).",
           csv_bytes(annex(), "gbk"), {**IMPORTED, "budgets": BUDGETS})
    yield ("wps.xlsx", "Saved by WPS 表格: docProps/app.xml names it, docProps/custom.xml has KSOProductBuildVer, "
           "宋体/仿宋 styles with WPS number formats, a style and a border on every cell, blank styled cells.",
           xlsx_bytes({"2021年": annex()}, merges=["A1:L1"], wps=True), {**IMPORTED, "budgets": BUDGETS})

    dated = with_cells(annex(2023, projects(2023)), {
        (5, E): Styled(serial(date(2023, 1, 1)), "year_date"),  # shows 2023年
        (6, E): "2023年",
        (7, E): Styled(serial(date(2023, 1, 1)), "date")})       # shows 2023/1/1
    yield ("year_as_date.xlsx", "实施年度 as a date cell showing 2023年 (format yyyy\"年\"), as the text 2023年, "
           "and as the date 2023-01-01: each is the year 2023, the dates with a warning.",
           xlsx_bytes({"2023年": dated}),
           {"outcome": "imported", "rows": 3, "stated": 1, "years": [2023],
            "warnings": ["year_from_date", "new_unit", "new_unit", "year_from_date", "new_unit",
                         "continued_without_earlier_year"]})
    serial_year = with_cells(annex(2023, projects(2023)), {(5, E): Styled(2023, "date")})
    yield ("year_typed_in_date_cell.xlsx", "2023 typed into a cell formatted as a date: the sheet shows "
           "1905-07-15 (day 2023 after 1899-12-30); refused, the file shows a date nobody meant.",
           xlsx_bytes({"2023年": serial_year}), refused(["year_shown_as_date", None, "2023年", 5, "实施年度"]))
    protection = ('<sheetProtection algorithmName="SHA-512" hashValue="x2R0CLzHUBZk5T1Aj5TmsZ2vsX9hCCOs6OQZ6jzlIcGk'
                  'ne0hsTUjYi1YRRo5rZtP0KSGwxxuWclqT/1ZbdCflQ==" saltValue="Yf2sNIBQ12RQ4Nf2Z+N9Lw==" '
                  'spinCount="100000" sheet="1" objects="1" scenarios="1"/>')
    yield ("protected_sheet.xlsx", "A sheet protected with a password, in a workbook whose structure is locked "
           "too: protection stops editing, not reading, so it imports.",
           xlsx_bytes({"2021年": annex()}, protection=protection,
                      workbook_protection='<workbookProtection workbookPassword="CC1A" lockStructure="1"/>'),
           {**IMPORTED, "budgets": BUDGETS})


def main():
    expected = {}
    for old in HERE.iterdir():
        if old.name not in {"make_corpus.py", "__pycache__"} and not old.name.startswith("."):
            old.unlink()
    for name, what, data, outcome in cases():
        if len(data) >= LIMIT:
            raise SystemExit(f"{name} is {len(data)} bytes: keep corpus files under {LIMIT}")
        (HERE / name).write_bytes(data)
        expected[name] = {"what": what, **outcome}
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(expected)} files written to {HERE}")


if __name__ == "__main__":
    main()
