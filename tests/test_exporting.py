"""importers.exporting and `manage.py export_annex`: layout, exact amounts, safe text, streaming queries."""
import csv
import io
import random
import tracemalloc
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from funding.models import AnnualBudget
from funding.services import budget_create
from importers import exporting
from funding.export import flat_export_csv, flat_export_xlsx
from importers.exporting import annex_export, five_year_plan_label
from planportal.lib.xlsx_cells import cell_number
from planportal.lib.numbers import parse_amount
from planportal.lib.safe_cells import unescape_text
from plans.models import Category, PlanYear
from projects.models import Project
from projects.services import project_create, unit_for_spelling
from plans.access import SYSTEM
from figures.services import stated_figure_create
from rollups.services import recompute_plan
from tests.conftest import member

HEADERS = [
    "序号", "项目名称", "建设性质（新建/续建/扩建）", "项目建设地点", "实施年度", "项目类别",
    "建设规模和建设内容", "项目总投资（万元）", "京蒙资金（万元）", "地方自筹资金（万元）",
    "京蒙协作资金主要用途", "项目实施单位",
]
FLAT_HEADERS = [
    "计划代码", "实施年度", "序号", "项目名称", "建设性质", "项目建设地点", "项目类别",
    "建设规模和建设内容", "项目总投资", "京蒙资金", "地方自筹资金", "京蒙资金实际拨付",
    "地方自筹实际拨付", "京蒙协作资金主要用途", "项目实施单位", "苏木镇", "嘎查", "项目状态",
]
TRICKY_AMOUNTS = ["168.15", "1068.15", "0.0001", "12409.65", "99999999.9999", "99999999999.9999", "0.1", "0.3"]
FORMULA_NAMES = ['=HYPERLINK("http://x")', "@SUM(A1)", "+1", "-1", "#N/A", "＝1+1"]


def _budget(plan, *, name, category, year=2021, serial="", unit="科右中旗农科局", location="科右中旗",
            total="0", beijing="0", local="0", **details):
    project = project_create(
        plan=plan, name=name, category=Category.objects.get(plan=plan, name_zh=category),
        unit=unit_for_spelling(plan=plan, spelling=unit, user=SYSTEM)[0], location_text=location,
        user=SYSTEM)
    return budget_create(project=project, year=year, serial_no=serial, total_investment=Decimal(total),
                         beijing_funds=Decimal(beijing), local_funds=Decimal(local), **details, user=SYSTEM)


@pytest.fixture
def annex_plan(plan):
    """Six 2021 rows in three categories, created out of order; 2022 empty; one 2023 row."""
    school = _budget(plan, name="科右中旗民族学校建设", category="社会事业类", serial="1", unit="旗教育局",
                     total="300", beijing="300", nature="续建", scale_and_content="教学楼一栋",
                     beijing_funds_use="用于教学楼建设")
    _budget(plan, name="杜尔基镇饮水工程", category="基础设施类", serial="10", unit="科右中旗杜尔基镇人民政府",
            location="杜尔基镇杜尔基嘎查", total="12409.65", beijing="12409.65")
    _budget(plan, name="园区道路", category="基础设施类", serial="2", total="1068.15", beijing="900", local="168.15")
    _budget(plan, name="肉牛改良服务中心", category="基础设施类", serial="1", total="1500", beijing="800", local="700")
    _budget(plan, name="无序号的项目", category="基础设施类", serial="", total="0.0001", beijing="0.0001")
    cattle = _budget(plan, name="科右中旗肉牛改良项目", category="产业合作类", serial="1",
                     total="99999999.9999", beijing="99999999.9999")
    budget_create(project=cattle.project, year=2023, serial_no="3", total_investment=Decimal("86.5"),
                  beijing_funds=Decimal("86.5"), user=SYSTEM)
    assert school.project.nature == "新建"
    return plan


def _export(plan) -> tuple[dict, bytes]:
    out = io.BytesIO()
    summary = annex_export(plan=plan, out=out)
    return summary, out.getvalue()


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _amounts(row, columns=slice(7, 10)) -> list:
    return [parse_amount(value) for value in row[columns]]


@pytest.mark.django_db
def test_annex_layout_title_header_sums_and_order(annex_plan):
    summary, data = _export(annex_plan)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    sheet = book["2021年"]
    rows = _values(sheet)
    assert rows[0][0] == "科右中旗2021年“十四五”京蒙帮扶协作需求统计表"
    assert rows[1] == [None] * 11 + ["单位：万元"]
    assert rows[2] == HEADERS
    labels = [row[0] if isinstance(row[0], str) and "个" in row[0] else row[1] for row in rows[3:]]
    assert labels == [
        "科右中旗合计6个",
        "基础设施类4个", "肉牛改良服务中心", "园区道路", "杜尔基镇饮水工程", "无序号的项目",
        "产业合作类1个", "科右中旗肉牛改良项目",
        "社会事业类1个", "科右中旗民族学校建设",
    ]
    assert _amounts(rows[3]) == [Decimal("100015277.8"), Decimal("100014409.65"), Decimal("868.15")]
    assert _amounts(rows[4]) == [Decimal("14977.8001"), Decimal("14109.6501"), Decimal("868.15")]
    assert _amounts(rows[9]) == [Decimal("99999999.9999"), Decimal("99999999.9999"), Decimal(0)]
    assert [row[0] for row in rows[5:9]] == [1, 2, 10, None]  # numeric order, blank serial last
    assert rows[12] == [1, "科右中旗民族学校建设", "续建", "科右中旗", 2021, "社会事业类", "教学楼一栋",
                        300, 300, 0, "用于教学楼建设", "旗教育局"]
    assert rows[7][3] == "杜尔基镇杜尔基嘎查" and rows[7][11] == "科右中旗杜尔基镇人民政府"
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert merged == {"A1:L1", "A4:G4", "A5:G5", "A10:G10", "A12:G12"}
    assert sheet.freeze_panes == "A4"
    assert sheet["H4"].number_format == "#,##0.00" and sheet["J13"].number_format == "#,##0.00"
    assert sheet["G13"].alignment.wrap_text and sheet.column_dimensions["G"].width == 60
    assert summary["sheets"] == book.sheetnames and summary["rows"] == 7
    assert summary["years"][2021]["projects"] == 6
    assert summary["years"][2021]["total_investment"] == Decimal("100015277.80")
    assert summary["years"][2023]["beijing_funds"] == Decimal("86.5")


@pytest.mark.django_db
def test_a_year_without_budgets_shows_a_zero_total(annex_plan):
    summary, data = _export(annex_plan)
    rows = _values(openpyxl.load_workbook(io.BytesIO(data))["2022年"])
    assert rows[0][0] == "科右中旗2022年“十四五”京蒙帮扶协作需求统计表"
    assert rows[2] == HEADERS
    assert rows[3:] == [["科右中旗合计0个"] + [None] * 6 + [0, 0, 0, None, None]]
    assert summary["years"][2022]["projects"] == 0
    assert _values(openpyxl.load_workbook(io.BytesIO(data))["2023年"])[5][:2] == [3, "科右中旗肉牛改良项目"]


@pytest.mark.django_db
def test_formula_like_text_is_written_as_text_cells(plan):
    for index, name in enumerate(FORMULA_NAMES, start=1):
        _budget(plan, name=name, category="基础设施类", serial=str(index), location="=1+1",
                scale_and_content="-5吨", total="1", beijing="1")
    _summary, data = _export(plan)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["2021年"]
    cells = [sheet.cell(row, 2) for row in range(6, 6 + len(FORMULA_NAMES))]
    assert [cell.value for cell in cells] == FORMULA_NAMES
    assert {cell.data_type for cell in cells} == {"s"}
    assert (sheet["D6"].value, sheet["D6"].data_type) == ("=1+1", "s")
    calamine_rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("2021年").to_python()
    assert [row[1] for row in calamine_rows[5:]] == FORMULA_NAMES


@pytest.mark.django_db
def test_formula_like_text_is_quoted_in_csv_and_restored_by_unescape(plan):
    for index, name in enumerate(FORMULA_NAMES, start=1):
        _budget(plan, name=name, category="基础设施类", serial=str(index), total="1", beijing="1")
    stream = io.StringIO()
    flat_export_csv(queryset=AnnualBudget.objects.for_plan(plan), out_text_stream=stream)
    names = [row[3] for row in list(csv.reader(io.StringIO(stream.getvalue())))[1:]]
    assert names == ["'" + FORMULA_NAMES[0], "'@SUM(A1)", "'+1", "'-1", "#N/A", "'＝1+1"]
    assert [unescape_text(name) for name in names] == FORMULA_NAMES
    out = io.BytesIO()
    flat_export_xlsx(queryset=AnnualBudget.objects.for_plan(plan), out=out)
    sheet = openpyxl.load_workbook(out)["项目清单"]
    assert [(cell.value, cell.data_type) for cell in sheet["D"][1:]] == [(name, "s") for name in FORMULA_NAMES]


def _rows(plan, count: int, start: int = 0):
    """`count` 2021 budgets spread over three categories and three units."""
    categories = ["基础设施类", "产业合作类", "乡村旅游类"]
    units = ["旗农科局", "旗卫健委", "巴彦呼舒镇人民政府"]
    for number in range(start, start + count):
        _budget(plan, name=f"项目{number}", category=categories[number % 3], unit=units[number % 3],
                serial=str(number), total="10.5", beijing="10.5")


@pytest.mark.django_db
def test_annex_query_count_does_not_grow_with_rows(plan):
    _rows(plan, 5)
    with CaptureQueriesContext(connection) as few:
        assert annex_export(plan=plan, out=io.BytesIO())["rows"] == 5
    _rows(plan, 45, start=5)
    with CaptureQueriesContext(connection) as many:
        assert annex_export(plan=plan, out=io.BytesIO())["rows"] == 50
    assert len(many) == len(few)
    assert len(few) <= 2 * len(plan.years)  # sums + rows per year


@pytest.mark.django_db
def test_flat_query_count_does_not_grow_with_rows(plan, django_assert_num_queries):
    _rows(plan, 30)
    with django_assert_num_queries(1):
        assert flat_export_xlsx(queryset=AnnualBudget.objects.for_plan(plan), out=io.BytesIO()) == 30
    with django_assert_num_queries(1):
        assert flat_export_csv(queryset=AnnualBudget.objects.for_plan(plan), out_text_stream=io.StringIO()) == 30


@pytest.mark.django_db
def test_annex_reads_back_with_calamine_with_exact_amounts(annex_plan):
    _summary, data = _export(annex_plan)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    rows = book.get_sheet_by_name("2021年").to_python()
    assert rows[0][0] == "科右中旗2021年“十四五”京蒙帮扶协作需求统计表"
    assert rows[2] == HEADERS
    assert rows[3][0] == "科右中旗合计6个"
    assert _amounts(rows[3]) == [Decimal("100015277.8"), Decimal("100014409.65"), Decimal("868.15")]
    assert _amounts(rows[8]) == [Decimal("0.0001"), Decimal("0.0001"), Decimal(0)]
    assert _amounts(rows[7]) == [Decimal("12409.65"), Decimal("12409.65"), Decimal(0)]


@pytest.mark.django_db
def test_tricky_amounts_read_back_exactly_from_the_flat_files(plan):
    for index, amount in enumerate(TRICKY_AMOUNTS, start=1):
        _budget(plan, name=f"项目{index}", category="基础设施类", serial=str(index),
                total=amount, beijing=amount, actual_beijing_funds=Decimal(amount))
    out = io.BytesIO()
    flat_export_xlsx(queryset=AnnualBudget.objects.for_plan(plan), out=out)
    expected = [Decimal(amount) for amount in TRICKY_AMOUNTS]
    by_openpyxl = _values(openpyxl.load_workbook(io.BytesIO(out.getvalue()))["项目清单"])
    by_calamine = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_name("项目清单").to_python()
    for rows in (by_openpyxl, by_calamine):
        assert list(rows[0]) == FLAT_HEADERS
        assert [parse_amount(row[8]) for row in rows[1:]] == expected
        assert [parse_amount(row[11]) for row in rows[1:]] == expected
        assert {parse_amount(row[12]) for row in rows[1:]} == {None}  # not reported stays blank, not 0
    stream = io.StringIO()
    flat_export_csv(queryset=AnnualBudget.objects.for_plan(plan), out_text_stream=stream)
    csv_rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert [Decimal(row[8]) for row in csv_rows[1:]] == expected
    assert {row[12] for row in csv_rows[1:]} == {""}


def test_any_amount_with_four_decimals_below_1e11_survives_an_xlsx_cell():
    rng = random.Random(20210101)
    amounts = [Decimal(amount) for amount in TRICKY_AMOUNTS] + [Decimal("99999999999.9999"), Decimal("0.0009")]
    for _ in range(3000):
        digits = rng.randint(1, 11)
        amounts.append(Decimal(rng.randrange(10 ** (digits + 4))).scaleb(-4))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("amounts")
    for amount in amounts:
        sheet.append([cell_number(amount)])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    by_openpyxl = [row[0] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    by_calamine = [row[0] for row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()]
    assert [parse_amount(value) for value in by_openpyxl] == amounts
    assert [parse_amount(value) for value in by_calamine] == amounts


@pytest.mark.django_db
def test_flat_export_rows_and_headers(annex_plan):
    stream = io.StringIO()
    assert flat_export_csv(queryset=AnnualBudget.objects.for_plan(annex_plan), out_text_stream=stream) == 7
    text = stream.getvalue()
    assert text.startswith("\ufeff计划代码,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == FLAT_HEADERS
    assert [(row[1], row[2], row[3]) for row in rows[1:3]] == [("2021", "1", "肉牛改良服务中心"), ("2021", "2", "园区道路")]
    assert rows[-1][:4] == [annex_plan.code, "2023", "3", "科右中旗肉牛改良项目"]
    water = next(row for row in rows if row[3] == "杜尔基镇饮水工程")
    assert water[14:] == ["科右中旗杜尔基镇人民政府", "杜尔基镇", "杜尔基嘎查", "计划"]
    assert (water[8], water[10], water[11]) == ("12409.65", "0.00", "")
    school = Project.objects.get(plan=annex_plan, name="科右中旗民族学校建设")
    only_school = io.StringIO()
    flat_export_csv(queryset=Project.objects.filter(pk=school.pk), out_text_stream=only_school)
    assert [row[3:5] for row in csv.reader(io.StringIO(only_school.getvalue()))][1:] == [["科右中旗民族学校建设", "续建"]]


@pytest.mark.parametrize(
    "first, last, label", [(2021, 2025, "“十四五”"), (2026, 2030, "“十五五”"), (2016, 2020, "“十三五”"),
                           (2023, 2023, "“十四五”"), (2019, 2023, "")],
)
def test_five_year_plan_label(first, last, label):
    assert five_year_plan_label(first, last) == label


@pytest.mark.django_db
def test_command_writes_the_annex(annex_plan, tmp_path, capsys):
    target = tmp_path / "annex.xlsx"
    call_command("export_annex", "--plan", annex_plan.code, "-o", str(target))
    assert "5 sheets (2021年, 2022年, 2023年, 2024年, 2025年), 7 project rows" in capsys.readouterr().out
    assert openpyxl.load_workbook(target)["2021年"]["A4"].value == "科右中旗合计6个"
    assert [path.name for path in tmp_path.iterdir()] == ["annex.xlsx"]  # no temporary file left


@pytest.mark.django_db
def test_command_writes_the_flat_list_by_suffix_or_format(annex_plan, tmp_path, capsys):
    call_command("export_annex", "--plan", annex_plan.code, "-o", str(tmp_path / "list.csv"), "--flat")
    assert "Wrote 7 budget rows" in capsys.readouterr().out
    assert (tmp_path / "list.csv").read_bytes().startswith("\ufeff计划代码".encode())
    call_command("export_annex", "--plan", annex_plan.code, "-o", str(tmp_path / "list"), "--flat", "--format", "xlsx")
    with open(tmp_path / "list", "rb") as workbook:  # openpyxl goes by the suffix when given a path
        assert openpyxl.load_workbook(workbook)["项目清单"]["A1"].value == "计划代码"


@pytest.mark.django_db
def test_command_refuses_an_unknown_plan_and_names_the_known_ones(plan, other_plan, tmp_path):
    with pytest.raises(CommandError, match=f"No plan with code 'nope'. Known codes: {plan.code}, {other_plan.code}"):
        call_command("export_annex", "--plan", "nope", "-o", str(tmp_path / "x.xlsx"))
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, extra, message",
    [("x.csv", [], "add --flat"), ("x.xls", ["--flat"], "name it .xlsx or .csv"),
     ("x.xlsx", ["--flat", "--format", "csv"], "does not match")],
)
def test_command_refuses_an_unclear_format(plan, tmp_path, name, extra, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_annex", "--plan", plan.code, "-o", str(tmp_path / name), *extra)
    assert not list(tmp_path.iterdir())


def _bulk_rows(plan, start: int, count: int):
    """Many 2021 rows quickly (bulk_create skips the services: only the export is under test here)."""
    category = plan.categories.first()
    year = PlanYear.objects.get(plan=plan, year=2021)
    projects = Project.objects.bulk_create(
        Project(plan=plan, name=f"科右中旗测试项目{number}", category=category) for number in range(start, start + count)
    )
    AnnualBudget.objects.bulk_create(
        AnnualBudget(project=project, plan_year=year, serial_no=str(number), scale_and_content="建设内容" * 30,
                     total_investment=Decimal("168.15"), beijing_funds=Decimal("168.15"))
        for number, project in enumerate(projects, start)
    )


@pytest.mark.django_db
def test_annex_memory_does_not_grow_with_rows(plan, tmp_path, monkeypatch):
    # A small chunk, so the database cursor's share is the same for both sizes.
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 100)
    peaks = []
    for start, count in [(0, 400), (400, 1200)]:  # 400 rows, then 1600
        _bulk_rows(plan, start, count)
        tracemalloc.start()
        try:
            annex_export(plan=plan, out=tmp_path / f"annex-{start}.xlsx")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    # Rows held in memory would cost well over 1 MB per thousand rows of this size.
    assert peaks[1] < peaks[0] + 300_000, peaks


@pytest.mark.django_db(transaction=True)
def test_annex_export_outside_a_transaction_reads_one_snapshot(plan):
    # Not wrapped in a test transaction: annex_export opens its own (on PostgreSQL the
    # REPEATABLE READ statement must be the transaction's first, or the database refuses it).
    _rows(plan, 3)
    with CaptureQueriesContext(connection) as queries:
        assert annex_export(plan=plan, out=io.BytesIO())["rows"] == 3
    statements = [query["sql"].upper() for query in queries if query["sql"].upper() not in ("BEGIN", "COMMIT")]
    if connection.vendor == "postgresql":
        assert statements[0].startswith("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    assert not connection.in_atomic_block


@pytest.mark.django_db
def test_no_internal_code_reaches_the_chinese_exports(client, plan):
    """项目状态 is 计划/实施中/…, 指标 is 京蒙协作资金/项目数: never planned or beijing_funds."""
    _budget(plan, name="状态项目", category="基础设施类", serial="1", total="5", beijing="5")
    stated_figure_create(plan=plan, user=SYSTEM, metric="beijing_funds", value=Decimal("9"), year=2021, source="正文")
    recompute_plan(plan.pk)
    client.force_login(member(plan, "liaison"))
    codes = {"planned", "in_progress", "completed", "cancelled", "beijing_funds", "local_funds", "total_investment",
             "projects"}
    flat = client.get(f"/plans/{plan.code}/projects/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "计划" in flat and not codes & set(next(csv.reader(io.StringIO(flat.splitlines()[1]))))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/plans/{plan.code}/disagreements/",
                                                         {"format": "xlsx"}).content)).active
    cells = {cell.value for row in sheet.iter_rows(min_row=2) for cell in row}
    assert "京蒙协作资金" in cells and not codes & cells


def test_a_download_names_its_file_safely_whatever_the_name():
    from planportal.downloads import CSV, attachment

    header = attachment(CSV, '科右中旗 "计划"\r\n.csv')["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.endswith("filename*=UTF-8''%E7%A7%91%E5%8F%B3%E4%B8%AD%E6%97%97%20%22%E8%AE%A1%E5%88%92%22%0D%0A.csv")
