"""The report (.docx) and the tables (.xlsx): written by the command and the page, reopened, formula-safe."""

import io
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx.oxml.ns import qn
from docx.shared import Mm

from plans.models import Category
from tests.conftest import member
from tests.test_exports_formula_safe import _scan, world  # noqa: F401  (the formula-like world, as a fixture)

SECTIONS = ["一、总体完成情况", "二、分年度", "三、分类别", "四、主要指标", "五、重点项目", "六、存在的问题（未解决的差异）"]


def _fonts(style) -> dict:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {name: fonts.get(qn(f"w:{name}")) for name in ("ascii", "hAnsi", "eastAsia", "asciiTheme")}


def _cells(document) -> list[str]:
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


def test_the_command_writes_a_report_and_tables_that_reopen(bundled, tmp_path):
    report, tables = tmp_path / "评估.docx", tmp_path / "评估.xlsx"
    call_command("evaluation", "--plan", bundled.code, "--docx", str(report), "--xlsx", str(tables),
                 stdout=io.StringIO(), stderr=io.StringIO())
    document = docx.Document(str(report))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "《科右中旗“十四五”时期京蒙协作规划》终期评估报告"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == SECTIONS
    assert any("56,832.60万元" in text for text in texts)
    cells = _cells(document)
    assert {"56,832.60", "65,971.91", "9,139.31", "148"} <= set(cells)
    assert "巴彦呼舒镇非遗扶贫就业工坊项目" in cells
    assert sum(text.startswith(("1. ", "75. ")) for text in texts) == 2  # every open disagreement, numbered
    section = document.sections[0]
    assert (abs(section.page_width - Mm(210)) < Mm(1), abs(section.page_height - Mm(297)) < Mm(1)) == (True, True)
    assert _fonts(document.styles["Normal"]) == {"ascii": "仿宋_GB2312", "hAnsi": "仿宋_GB2312",
                                                 "eastAsia": "仿宋_GB2312", "asciiTheme": None}
    assert _fonts(document.styles["Heading 1"]) == {"ascii": "黑体", "hAnsi": "黑体", "eastAsia": "黑体",
                                                    "asciiTheme": None}
    assert _fonts(document.styles["评估表格"])["eastAsia"] == "宋体"
    # Every table fits the 156 mm between the margins by its grid (what LibreOffice and WPS lay out by).
    for grid in document.tables:
        widths = [column.width for column in grid.columns]
        assert None not in widths and sum(widths) <= Mm(156.5)

    workbook = openpyxl.load_workbook(tables)
    assert workbook.sheetnames == ["概览", "分年度", "分类别", "分年度分类别", "表列数", "指标", "重点项目", "未解决的差异"]
    by_year = list(workbook["分年度"].iter_rows(values_only=True))
    assert by_year[0][:4] == ("年度", "项目数（附表行）", "计划项目总投资（万元）", "计划京蒙协作资金（万元）")
    total = by_year[-1]
    assert total[:2] == ("合计", 148)
    assert [Decimal(str(value)) for value in total[2:5]] == [Decimal("65971.91"), Decimal("56832.6"),
                                                             Decimal("9139.31")]
    assert workbook["分年度"]["D7"].number_format == "#,##0.00"
    stated = list(workbook["表列数"].iter_rows(values_only=True))
    assert any(row[4] == 54881.65 and "第141行" in row[9] for row in stated[1:])


def test_english_tables(bundled, tmp_path):
    tables = tmp_path / "evaluation.xlsx"
    call_command("evaluation", "--plan", bundled.code, "--xlsx", str(tables), "--lang", "en", stderr=io.StringIO())
    workbook = openpyxl.load_workbook(tables)
    assert workbook.sheetnames[:3] == ["Overview", "By year", "By category"]
    assert workbook["By year"]["A1"].value == "Year"


def test_an_unknown_plan_is_refused(db):
    with pytest.raises(CommandError, match="No plan with code"):
        call_command("evaluation", "--plan", "nope")


def test_the_page_downloads_carry_the_same_figures(client, small_plan):
    client.force_login(member(small_plan, "liaison"))
    url = reverse("plan-evaluation", args=[small_plan.code])
    document = docx.Document(io.BytesIO(client.get(url, {"format": "docx"}).content))
    assert {"217.50", "105.00", "315.00"} <= set(_cells(document))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert list(workbook["分类别"].iter_rows(values_only=True))[-1][:5] == ("合计", 30, 315, 217.5, 97.5)


def test_text_xml_cannot_hold_does_not_break_the_report(client, small_plan):
    Category.objects.filter(pk=small_plan.categories.order_by("order").first().pk).update(name_zh="类\x01别\x0b")
    client.force_login(member(small_plan, "staff"))
    response = client.get(reverse("plan-evaluation", args=[small_plan.code]), {"format": "docx"})
    assert response.status_code == 200 and "类别" in "".join(_cells(docx.Document(io.BytesIO(response.content))))


def test_the_tables_are_formula_safe_from_every_door(world, tmp_path):  # noqa: F811
    """tests/test_exports_formula_safe.py scans the page's ?format=xlsx; here the command's file and the docx."""
    out = tmp_path / "evaluation.xlsx"
    call_command("evaluation", "--plan", world["plan"].code, "--xlsx", str(out), stderr=io.StringIO())
    _scan(out.read_bytes(), "xlsx", "evaluation --xlsx")
    client = Client()
    client.force_login(world["staff"])
    response = client.get(reverse("plan-evaluation", args=[world["plan"].code]), {"format": "xlsx"})
    _scan(response.content, "xlsx", "?format=xlsx")
    report = client.get(reverse("plan-evaluation", args=[world["plan"].code]), {"format": "docx"}).content
    with zipfile.ZipFile(io.BytesIO(report)) as archive:
        body = archive.read("word/document.xml").decode()
    assert "=cmd|" in body and "<w:fldSimple" not in body  # the text is text: no field instruction made of it
