"""A Word document set up as Chinese official documents are (GB/T 9704): A4, 仿宋 body, 黑体 headings.

Every font is set for both scripts: w:ascii/w:hAnsi (Latin letters, digits) and w:eastAsia (Chinese),
and the theme fonts of python-docx's template are removed, since Word prefers a theme font to a named
one. Text is cleaned of characters XML cannot hold (planportal.lib.safe_cells.xlsx_text), as in xlsx.
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from planportal.lib.safe_cells import xlsx_text

BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"  # second-level headings of official documents
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
TABLE_STYLE = "评估表格"
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _child(parent, tag: str, *, first: bool = False):
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.insert(0, element) if first else parent.append(element)
    return element


def set_fonts(rpr_owner, name: str) -> None:
    """Name the font of a style, run or the document defaults for Latin and Chinese text alike,
    dropping any theme font."""
    rpr = rpr_owner.get_or_add_rPr() if hasattr(rpr_owner, "get_or_add_rPr") else _child(rpr_owner, "w:rPr")
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _style(document, name: str, font: str, size, *, bold=False, based_on="Normal"):
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if name != "Normal":
        style.base_style = styles[based_on]
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element, font)
    return style


def official_document():
    """A new document: A4 with the margins of official documents, its styles set for Chinese text."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        default = _child(defaults, "w:rPrDefault", first=True)
        set_fonts(default, BODY_FONT)
        _child(_child(default, "w:rPr"), "w:lang").set(qn("w:eastAsia"), "zh-CN")  # Chinese punctuation rules
    normal = _style(document, "Normal", BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for level in (1, 2):
        heading = _style(document, f"Heading {level}", HEADING_FONT if level == 1 else SUBHEADING_FONT, BODY_SIZE)
        heading.font.italic = False
        heading.paragraph_format.space_before = Pt(12 if level == 1 else 6)
        heading.paragraph_format.space_after = Pt(6)
    table = _style(document, TABLE_STYLE, TABLE_FONT, TABLE_SIZE)
    table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table.paragraph_format.first_line_indent = Pt(0)
    _page_numbers(section)
    return document


def _page_numbers(section) -> None:
    """"— 1 —" centred at the foot of every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = Pt(14)
        set_fonts(run._r, TABLE_FONT)


def title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(36)
    run = paragraph.add_run(xlsx_text(text))
    run.font.size = TITLE_SIZE
    set_fonts(run._r, HEADING_FONT)


def heading(document, text: str, level: int = 1) -> None:
    document.add_heading(xlsx_text(text), level=level)


def body(document, text: str, *, centre: bool = False) -> None:
    paragraph = document.add_paragraph(xlsx_text(text))
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters


def table(document, heads: list[str], rows: list[list], numeric: set[int] = frozenset(), bold_last=False,
          widths: tuple[int, ...] = ()) -> None:
    """A ruled table: bold centred header (repeated on each page), numbers right-aligned; `widths` in mm
    (of the 156 mm between the margins), else equal columns."""
    grid = document.add_table(rows=1, cols=len(heads))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = not widths
    header = grid.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    for index, head in enumerate(heads):
        _cell(header.cells[index], head, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for number, row in enumerate(rows, start=1):
        cells = grid.add_row().cells
        last = bold_last and number == len(rows)
        for index, value in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else WD_ALIGN_PARAGRAPH.LEFT
            _cell(cells[index], "" if value is None else str(value), bold=last, align=align)
    for index, width in enumerate(widths):
        # The grid's width (w:gridCol) is what LibreOffice and WPS lay out by; Word reads each cell's (w:tcW).
        grid.columns[index].width = Mm(width)
        for cell in grid.columns[index].cells:
            cell.width = Mm(width)
    document.add_paragraph()


def _cell(cell, text: str, *, bold: bool, align) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_STYLE
    paragraph.alignment = align
    run = paragraph.add_run(xlsx_text(text))
    run.bold = bold
