"""Indicator fixtures: a plan's 专栏1 rows and goals shaped like the bundled fixture, and users by role."""

import pytest

from indicators.services import indicators_load
from plans.access import SYSTEM

MAIN_ROWS = [
    {"seq": 1, "name": "农村低收入人口数", "unit": "万人", "target": "0", "target_year": 2025, "attribute": "binding"},
    {"seq": 2, "name": "脱贫人口巩固率", "unit": "%", "target": "100", "target_year": 2025, "attribute": "binding"},
    {"seq": 3, "name": "乡村振兴示范苏木镇", "unit": "个", "target": "2", "target_year": 2025, "attribute": "expected"},
    {"seq": 4, "name": "乡村振兴示范嘎查", "unit": "个", "target": "30", "target_year": 2025, "attribute": "expected"},
    {"seq": 6, "name": "旅游示范嘎查", "unit": "个", "target": "50", "target_year": 2025, "attribute": "expected"},
]


def _target(key, value, unit, year=None, quote=""):
    return {
        "key": key, "year": year, "category": None, "value": value, "unit": unit,
        "source": {"chapter": "第二章  开创京蒙协作新局面", "section": "第三节  京蒙协作总体思路",
                   "subsection": "三、发展目标", "line": 141, "quote": quote or f"{key}{value}{unit}"},
    }


GOAL_TARGETS = [
    _target("projects", "151", "个"),
    _target("beijing_funds", "54881.65", "万元"),
    _target("enterprises_introduced", "5", "家", quote="引进北京落地企业5家"),
    _target("enterprises_introduced", "1", "家", year=2025),
    _target("tourism_demo_gacha", "50", "个", quote="旅游示范嘎查50个"),
]


@pytest.fixture
def indicators(plan):
    """{key: Indicator} for the plan: five 专栏1 rows and two chapter-2 goals."""
    loaded = indicators_load(plan=plan, rows=MAIN_ROWS, source="专栏1 主要指标", goals=GOAL_TARGETS, user=SYSTEM)
    return {indicator.key: indicator for indicator in loaded}


