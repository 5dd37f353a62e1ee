"""The bundled fixtures of the seed plan, and the parser that builds them.

No database and no Django: the parser is pure Python. Tests that read the seed document
skip when it is not next to the repository (../shared/seed/); the ones that only read the
committed fixtures always run.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "keyouzhongqi-2021-2025"


from tools import build_bundled_fixtures as tool  # noqa: E402
sd = tool.seed_document
SEED = Path(os.environ.get("PLANPORTAL_SEED", tool.DEFAULT_SEED))
needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed document not found at {SEED}")

PROJECT_ROWS = {2021: 25, 2022: 34, 2023: 32, 2024: 29, 2025: 28}
CATEGORY_ROWS = {
    2021: {"基础设施类": 3, "产业合作类": 7, "人才培训类": 3, "劳务协作类": 2, "消费帮扶类": 1,
           "乡村振兴类": 3, "乡村旅游类": 1, "社会事业类": 4, "万企兴万村类": 1},
    2022: {"基础设施类": 2, "产业合作类": 4, "人才培训类": 3, "劳务协作类": 2, "消费帮扶类": 2,
           "乡村振兴类": 11, "社会事业类": 6, "乡村旅游类": 3, "万企兴万村类": 1},
    2023: {"基础设施类": 1, "产业合作类": 3, "人才培训类": 3, "劳务协作类": 2, "消费帮扶类": 1,
           "乡村振兴类": 14, "社会事业类": 5, "乡村旅游类": 2, "万企兴万村类": 1},
    2024: {"基础设施类": 1, "产业合作类": 2, "人才培训类": 3, "劳务协作类": 2, "消费帮扶类": 1,
           "乡村振兴类": 12, "社会事业类": 6, "乡村旅游类": 1, "万企兴万村类": 1},
    2025: {"基础设施类": 1, "产业合作类": 3, "人才培训类": 3, "劳务协作类": 2, "消费帮扶类": 1,
           "乡村振兴类": 13, "社会事业类": 3, "乡村旅游类": 1, "万企兴万村类": 1},
}


@pytest.fixture(scope="module")
def figures():
    return json.loads((FIXTURES / "stated_figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(FIXTURES / "annex.xlsx")


@pytest.fixture(scope="module")
def doc():
    if not SEED.exists():
        pytest.skip(f"seed document not found at {SEED}")
    return sd.load_seed(SEED)


@pytest.fixture(scope="module")
def annex(doc):
    return {t.year: t for t in sd.parse_annex(doc)}


def _sheet_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


# --- regeneration -----------------------------------------------------------------------

@needs_seed
def test_regeneration_reproduces_committed_fixtures(tmp_path):
    tool.build(SEED, tmp_path)
    committed = (FIXTURES / "stated_figures.json").read_bytes()
    assert (tmp_path / "stated_figures.json").read_bytes() == committed

    fresh, kept = load_workbook(tmp_path / "annex.xlsx"), load_workbook(FIXTURES / "annex.xlsx")
    assert fresh.sheetnames == kept.sheetnames
    for name in kept.sheetnames:
        assert _sheet_rows(fresh[name]) == _sheet_rows(kept[name]), name
        assert sorted(map(str, fresh[name].merged_cells.ranges)) == \
            sorted(map(str, kept[name].merged_cells.ranges)), name


@needs_seed
def test_committed_json_is_built_from_this_seed(figures, doc):
    assert figures["plan"]["seed_sha256"] == doc.sha256


# --- annex ------------------------------------------------------------------------------

def test_workbook_layout(workbook):
    assert workbook.sheetnames == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    ws = workbook["2021年"]
    assert ws["A1"].value == "科右中旗2021年“十四五”京蒙帮扶协作需求统计表"
    assert "A1:L1" in map(str, ws.merged_cells.ranges)
    assert ws["L2"].value == "单位：万元"
    assert [c.value for c in ws[3]] == [
        "序号", "项目名称", "建设\n性质（新建/续建）", "项目建设地点", "实施年度", "项目类别",
        "建设规模和建设内容", "项目总投资", "京蒙资金", "地方自筹资金", "京蒙协作资金主要用途", "项目实施单位"]
    assert ws.freeze_panes == "A4"
    # Header text differs between tables and is kept as written, spaces included.
    assert [c.value for c in workbook["2025年"][3]][7:10] == [
        "项目总投资    （万元）", "京蒙资金  （万元）", "地方自筹资金 （万元）"]


def test_2021_total_row(workbook, figures):
    ws = workbook["2021年"]
    assert [c.value for c in ws[4]][:1] + [c.value for c in ws[4]][7:10] == [
        "科右中旗合计25个", 11110, 6310, 4800]
    total = figures["annex_stated"][0]
    assert total == {
        "year": 2021, "sheet": "2021年", "row": 4, "kind": "total", "label": "科右中旗合计25个",
        "category": None, "count": 25, "total_investment": "11110", "beijing_funds": "6310",
        "local_funds": "4800", "seed_line": 655}


def test_project_rows_per_year_and_category(workbook, figures):
    # A project row is one whose 序号 is a number; totals/subtotals carry a label in A.
    total = 0
    for year, expected in PROJECT_ROWS.items():
        ws = workbook[f"{year}年"]
        counts: dict[str, int] = {}
        category = None
        for row in ws.iter_rows(min_row=4, values_only=True):
            if isinstance(row[0], int):
                counts[category] = counts.get(category, 0) + 1
            else:
                category = next((s["category"] for s in figures["annex_stated"]
                                 if s["year"] == year and s["label"] == row[0]), None)
        assert sum(counts.values()) == expected, year
        assert counts == CATEGORY_ROWS[year], year
        total += expected
    assert total == 148


def test_annex_stated_rows_point_at_the_workbook(workbook, figures):
    for s in figures["annex_stated"]:
        row = [c.value for c in workbook[s["sheet"]][s["row"]]]
        assert row[0] == s["label"]
        for col, key in ((7, "total_investment"), (8, "beijing_funds"), (9, "local_funds")):
            expected = None if s[key] is None else Decimal(s[key])
            assert (None if row[col] is None else Decimal(str(row[col]))) == expected


def test_stated_labels_are_kept_as_written(figures):
    by_label = {(s["year"], s["label"]): s for s in figures["annex_stated"]}
    # No 类 in the label, but the category is still recognised.
    assert by_label[(2024, "万企兴万村1个")]["category"] == "万企兴万村类"
    assert by_label[(2025, "乡村旅游类 1 个")]["count"] == 1
    assert by_label[(2021, "社会事业类 4个")]["category"] == "社会事业类"
    # "1个" above three rows stays 1, with its own (disagreeing) sums.
    social = by_label[(2025, "社会事业类1个")]
    assert (social["count"], social["total_investment"], social["beijing_funds"]) == (1, "100", "100")


@needs_seed
def test_multiline_cells(annex):
    t = annex[2021]
    assert t.header[2] == "建设\n性质（新建/续建）"
    veg = next(p for p in t.projects() if p.values[1] == "科右中旗有机蔬菜加工基地建设项目")
    content = veg.get(t.fields, "content")
    # The blank line inside the cell is an empty paragraph of that cell, not a row break:
    # the row keeps all 12 cells and its amounts.
    assert "（1）钢结构厂房2000平方米180万元\n\n（2）100千瓦变压器8万元；" in content
    assert content.endswith("围栏200延长米7万元。")
    assert [veg.get(t.fields, k) for k in sd.AMOUNT_FIELDS] == ["239", "239", "0"]
    assert len(veg.values) == 12
    # Trailing spaces are part of the text as written.
    park = next(p for p in t.projects() if p.values[1] == "科右中旗百利舸京蒙共建产业园区基础设施建设")
    assert park.get(t.fields, "content").endswith("12000延长米。 ")


@needs_seed
def test_blank_cells_stay_blank(annex, workbook):
    t = annex[2021]
    sample = next(p for p in t.projects() if p.values[1] == "科右中旗京蒙协作样板村打造项目")
    assert [sample.get(t.fields, k) for k in sd.AMOUNT_FIELDS] == ["0", None, None]
    ws = workbook["2021年"]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "科右中旗京蒙协作样板村打造项目")
    assert row[7:10] == (0, None, None)
    # A blank local-funds cell in a project row is None in the workbook, never 0.
    water = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "科右中旗杜尔基镇饮水安全巩固提升维修改造项目")
    assert row[9] is None and water[7:10] == (200, 200, None)


def test_split_tables_rules():
    lines = [
        "body text",
        "\tA", "\tfirst line", "second line", "", "after blank", "\t3",  # row 1
        "",
        "\tB", "\t", "", "\tC",                                          # rows 2 and 3
        "",
        "",
        "outside again",
    ]
    tables = sd.split_tables(lines)
    assert len(tables) == 1
    rows = tables[0].rows
    assert [c.text for c in rows[0].cells] == ["A", "first line\nsecond line\n\nafter blank", "3"]
    assert rows[1].values() == ["B", None]
    assert rows[2].values() == ["C"]
    assert rows[0].cells[1].line == 3


# --- chapter 2 targets ------------------------------------------------------------------

def _target(figures, key, year=None, category=None):
    hits = [t for t in figures["targets"]
            if t["key"] == key and t["year"] == year and t["category"] == category]
    assert len(hits) == 1, (key, year, category, hits)
    return hits[0]


def test_five_year_targets(figures):
    expected = {
        "projects": ("151", "个"), "beijing_funds": ("54881.65", "万元"),
        "enterprises_introduced": ("5", "家"), "jobs_created": ("140", "人"),
        "labour_transfer": ("220", "人"), "talent_exchanges": ("2000", "人次"),
        "technologies_introduced": ("5", "项"), "local_organisations": ("4", "家"),
        "supply_bases": ("5", "个"), "five_good_gacha": ("30", "个"),
        "five_beauty_gacha": ("50", "个"), "tourism_demo_gacha": ("50", "个"),
        "reception_points": ("300", "个"), "consolidation_gacha": ("20", "个"),
        "revitalisation_model_gacha": ("30", "个"), "expansion_gacha": ("123", "个"),
    }
    five_year = {t["key"]: t for t in figures["targets"] if t["year"] is None}
    assert {k: (t["value"], t["unit"]) for k, t in five_year.items()} == expected
    assert five_year["jobs_created"]["qualifier"] == "at_least"
    assert five_year["jobs_created"]["source"]["quote"] == "带动140人以上就业"
    src = five_year["projects"]["source"]
    assert (src["chapter"], src["section"], src["subsection"], src["line"]) == (
        "第二章  开创京蒙协作新局面", "第三节  京蒙协作总体思路", "三、发展目标", 141)


def test_yearly_targets(figures):
    assert [_target(figures, "projects", y)["value"] for y in range(2021, 2026)] == \
        ["25", "35", "33", "29", "29"]
    assert [_target(figures, "beijing_funds", y)["value"] for y in range(2021, 2026)] == \
        ["6310", "12409.65", "12894", "12001", "11342"]
    # The narrative's "京蒙协作资980万元" (missing 金) is still read, and kept as stated.
    tourism = _target(figures, "beijing_funds", 2021, "乡村旅游类")
    assert tourism["value"] == "980"
    assert tourism["source"]["quote"] == "乡村旅游类项目1个，京蒙协作资980万元"
    assert _target(figures, "projects", 2025, "社会事业类")["value"] == "3"
    assert _target(figures, "jobs_created", 2023)["value"] == "40"
    assert _target(figures, "talent_exchanges", 2025)["value"] == "50"
    categories = {t["category"] for t in figures["targets"] if t["year"] == 2022 and t["category"]}
    assert categories == set(sd.ANNEX_CATEGORIES)


@needs_seed
def test_target_quotes_are_in_their_lines(figures, doc):
    for t in figures["targets"]:
        assert t["source"]["quote"] in doc.line(t["source"]["line"])
        assert t["value"] in t["source"]["quote"]


# --- 专栏 -------------------------------------------------------------------------------

def test_indicators(figures):
    got = [(i["seq"], i["name"], i["unit_text"], i["unit"], i["target"], i["attribute_text"],
            i["attribute"]) for i in figures["indicators"]]
    assert got == [
        (1, "农村低收入人口数（指脱贫不稳定、边缘易致贫和突发严重困难人口）", "万人", "万人", "0", "约束性", "binding"),
        (2, "脱贫人口巩固率", "（%）", "%", "100", "约束性", "binding"),
        (3, "乡村振兴示范苏木镇", "（个）", "个", "2", "预期性", "expected"),
        (4, "乡村振兴示范嘎查", "（个）", "个", "30", "预期性", "expected"),
        (5, "（农家乐、牧家乐）接待点", "（个）", "个", "300", "预期性", "expected"),
        (6, "旅游示范嘎查", "（个）", "个", "50", "预期性", "expected"),
        (7, "乡村振兴“五好”嘎查", "（个）", "个", "30", "预期性", "expected"),
        (8, "“五美”人居环境嘎查", "（个）", "个", "50", "预期性", "expected"),
        (9, "低收入人口产业帮扶覆盖率", "（%）", "%", "100", "约束性", "binding"),
        (10, "已转移就业脱贫人口稳定就业率", "（%）", "%", "90", "约束性", "binding"),
    ]
    assert {i["target_year"] for i in figures["indicators"]} == {2025}


def test_key_project_boxes(figures):
    boxes = {b["column"]: b for b in figures["key_projects"]}
    assert sorted(boxes) == list(range(2, 27))
    box7 = boxes[7]
    assert (box7["title"], box7["years"], box7["field"], box7["category"]) == (
        "2021年产业协作类重点工程和项目", [2021], "产业协作类", "产业合作类")
    assert [p["name"] for p in box7["projects"]] == [
        "科右中旗肉牛改良项目", "科右中旗人畜分离牛舍建设项目", "科右中旗秸秆膨化机采购项目",
        "科右中旗有机蔬菜加工基地建设项目", "科右中旗巴彦敖包嘎查旅游帮扶项目",
        "科右中旗育秧大棚升级改造建设项目", "科右中旗农产品保鲜基地升级项目",
        "乡村旅游景点打造项目--新佳木苏木"]
    assert [p["line"] for p in box7["projects"]] == list(range(291, 299))
    assert boxes[20]["years"] == [2022, 2023, 2024, 2025]
    assert boxes[17]["years"] == [2021, 2022, 2023, 2024, 2025]
    # Names are kept as written, stray space included.
    assert "科右中旗代钦塔 拉嘎查示范村打造项目" in [p["name"] for p in boxes[22]["projects"]]
    # Items separated by blank lines inside the box are all found.
    assert len(boxes[12]["projects"]) == 4


# --- reconciliation ---------------------------------------------------------------------

@needs_seed
def test_reconcile_reports_known_disagreements(doc):
    found = {(f["check"], f["year"], f["category"], str(f["stated"]), str(f["actual"]))
             for f in sd.reconcile(doc)}
    for item in [
        ("annex subtotal count vs rows", 2025, "社会事业类", "1", "3"),
        ("annex total count vs rows", 2022, None, "35", "34"),
        ("annex total beijing_funds vs rows", 2021, None, "6310", "6391.5"),
        ("annex subtotal total_investment vs rows", 2024, "社会事业类", "1921.1", "1921.11"),
        ("narrative beijing_funds vs annex rows", 2021, "乡村旅游类", "980", "80"),
        ("five-year beijing_funds vs sum of years", None, None, "54881.65", "54956.65"),
        ("five-year talent_exchanges vs sum of years", None, None, "2000", "200"),
    ]:
        assert item in found
    # A stated 0 above blank local-funds cells is not a disagreement.
    assert not any(f["check"] == "annex subtotal local_funds vs rows" for f in sd.reconcile(doc))
