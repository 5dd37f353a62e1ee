"""The bundled plan's 专栏1 indicators and chapter-2 goals, checked against the plan document itself."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Indicator
from indicators.services import goals_load, indicators_load
from portal.bundled import bundled_figures, bundled_plan_ensure
from plans.access import SYSTEM

# Next to the repository, as tools/build_bundled_fixtures.py expects it.
SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_a6106caa575fc814.txt"

# Read off 专栏1 of the document by hand (lines ~152–222): name, unit, 2025 target, attribute.
EXPECTED_MAIN = [
    (1, "农村低收入人口数（指脱贫不稳定、边缘易致贫和突发严重困难人口）", "万人", "0", "binding"),
    (2, "脱贫人口巩固率", "%", "100", "binding"),
    (3, "乡村振兴示范苏木镇", "个", "2", "expected"),
    (4, "乡村振兴示范嘎查", "个", "30", "expected"),
    (5, "（农家乐、牧家乐）接待点", "个", "300", "expected"),
    (6, "旅游示范嘎查", "个", "50", "expected"),
    (7, "乡村振兴“五好”嘎查", "个", "30", "expected"),
    (8, "“五美”人居环境嘎查", "个", "50", "expected"),
    (9, "低收入人口产业帮扶覆盖率", "%", "100", "binding"),
    (10, "已转移就业脱贫人口稳定就业率", "%", "90", "binding"),
]


def _table_from_document() -> list[tuple]:
    """专栏1 as the document's text rendering has it: tab-led cells, a cell's extra lines without a tab."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("\t").startswith("专栏1"))
    cells: list[str] = []
    for line in lines[start + 1:]:
        if line.startswith("\t"):
            cells.append(line.strip())
        elif line.strip():
            if line.startswith("第") and "章" in line:
                break  # the next chapter: the table is over
            cells[-1] += line.strip()  # a wrapped cell
    header, body = cells[:5], cells[5:]
    assert header == ["序号", "指标", "单位", "2025年", "属性"]
    attributes = {"约束性": "binding", "预期性": "expected"}
    return [
        (int(seq), name, unit.strip("（）"), target, attributes[attribute])
        for seq, name, unit, target, attribute in (body[i:i + 5] for i in range(0, len(body), 5))
    ]


@pytest.fixture(scope="module")
def document_table():
    if not SEED.exists():
        pytest.skip(f"plan document not found at {SEED}")
    return _table_from_document()


def test_my_reading_of_the_table_matches_the_document(document_table):
    assert document_table == EXPECTED_MAIN


@pytest.mark.django_db
def test_the_bundled_plan_has_the_ten_main_indicators_of_the_document():
    plan, _created = bundled_plan_ensure()
    loaded = [
        (i.seq, i.name, i.unit, i.target, i.attribute, i.target_year, i.key)
        for i in Indicator.objects.for_plan(plan).main().order_by("seq")
    ]
    assert loaded == [
        (seq, name, unit, Decimal(target), attribute, 2025, f"main-{seq}")
        for seq, name, unit, target, attribute in EXPECTED_MAIN
    ]
    directions = dict(Indicator.objects.for_plan(plan).main().values_list("seq", "direction"))
    assert directions == {1: "at_most", **{seq: "at_least" for seq in range(2, 11)}}
    assert Indicator.objects.get(plan=plan, key="main-4").source == "专栏1 主要指标，第4项"


@pytest.mark.django_db
def test_the_bundled_plan_has_the_chapter_two_goals_but_not_its_portfolio_totals():
    plan, _created = bundled_plan_ensure()
    goals = {g.key: g for g in Indicator.objects.for_plan(plan).goals()}
    assert set(goals) == {
        "enterprises_introduced", "jobs_created", "labour_transfer", "talent_exchanges", "technologies_introduced",
        "local_organisations", "supply_bases", "five_good_gacha", "five_beauty_gacha", "tourism_demo_gacha",
        "reception_points", "consolidation_gacha", "revitalisation_model_gacha", "expansion_gacha",
    }
    assert {(g.attribute, g.direction, g.target_year) for g in goals.values()} == {("expected", "at_least", 2025)}
    # Figures as the sentence on line 141 states them.
    assert {key: (g.target, g.unit) for key, g in goals.items() if key in ("jobs_created", "talent_exchanges")} == {
        "jobs_created": (Decimal("140"), "人"), "talent_exchanges": (Decimal("2000"), "人次"),
    }
    assert goals["tourism_demo_gacha"].source.endswith("第141行：“旅游示范嘎查50个”")
    assert "三、发展目标" in goals["tourism_demo_gacha"].source


@pytest.mark.django_db
def test_loading_twice_changes_nothing(plan):
    figures = bundled_figures()
    first = indicators_load(plan=plan, rows=figures["indicators"], source="专栏1 主要指标", goals=figures["targets"], user=SYSTEM)
    again = indicators_load(plan=plan, rows=figures["indicators"], source="专栏1 主要指标", goals=figures["targets"], user=SYSTEM)
    assert [i.pk for i in again] == [i.pk for i in first]
    assert Indicator.objects.filter(plan=plan).count() == 24
    assert goals_load(plan=plan, targets=[], user=SYSTEM) == []
