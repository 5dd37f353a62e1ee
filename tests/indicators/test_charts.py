"""The server-side SVG chart: well-formed, accessible, and every text escaped (pure: no database)."""

import xml.etree.ElementTree as ET
from decimal import Decimal as D

from indicators.charts import ChartLabels, indicator_chart_svg

LABELS = ChartLabels(values="Reported", target="Target", derived="From projects", no_values="No value yet")
SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides):
    arguments = {
        "chart_id": "indicator-7", "title": "乡村振兴示范嘎查", "unit": "个", "years": [2021, 2022, 2023, 2024, 2025],
        "values": {2021: D("5"), 2023: D("12.5")}, "target": D("30"), "labels": LABELS,
        "derived": {None: D("39"), 2021: D("1"), 2022: D("10")},
    }
    return indicator_chart_svg(**{**arguments, **overrides})


def test_a_hostile_name_is_shown_not_run():
    svg = _chart(title='<script>alert("x")</script>', unit="<b>", labels=ChartLabels("<i>", "a&b", "\"'", "<x>"))
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'
    assert root.get("aria-label") == '<script>alert("x")</script>'


def test_the_chart_has_a_title_a_description_and_one_bar_per_value():
    root = ET.fromstring(_chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "indicator-7-title indicator-7-desc"
    assert root.find(f"{SVG}title").get("id") == "indicator-7-title"
    assert root.find(f"{SVG}desc").text == "Target: 30 个. 2021: 5 个; 2023: 12.5 个"
    bars = [rect for rect in root.findall(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["2021: 5 个", "2023: 12.5 个"]
    assert len(root.findall(f"{SVG}circle")) == 2 + 1  # two derived years, one legend dot
    taller = float(bars[1].get("height")) > float(bars[0].get("height"))
    assert taller


def test_a_chart_without_values_or_with_a_zero_target_still_draws():
    for values, target in (({}, D("0")), ({2021: D("-2")}, D("0")), ({2022: D("0.0001")}, D("100"))):
        root = ET.fromstring(_chart(values=values, target=target, derived=None))
        assert root.find(f"{SVG}title") is not None
    assert "No value yet" in _chart(values={}, derived=None)


def test_the_chart_id_cannot_break_out_of_its_attribute():
    svg = _chart(chart_id='x" onload="alert(1)')
    assert "onload=" not in svg
