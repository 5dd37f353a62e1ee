"""A disagreement's sentence in English names things in English where the plan has an English name."""

from decimal import Decimal

from plans.models import Category
from rollups.models import Variance
from rollups.sentences import sentence


def _variance(**kwargs) -> Variance:
    return Variance(plan_id=1, status="differs", metric=kwargs.pop("metric", "beijing_funds"), **kwargs)


def test_english_uses_the_categorys_english_name_box_numbers_and_commas():
    category = Category(pk=7, name_zh="产业合作类", name_en="Industrial cooperation")
    figure = _variance(kind="figure", year=2021, category=category, stated=Decimal("60"), computed=Decimal("61.5"),
                       difference=Decimal("1.5"), details={"origin": "annex"})
    assert sentence(figure, "en") == ("2021 · Industrial cooperation: the annex states cooperation funds 60.00 万元, "
                                      "the project rows add up to 61.50 万元 (1.50 万元).")
    assert sentence(figure, "zh").startswith("2021年 · 产业合作类：附表写京蒙协作资金60.00 万元")
    key = _variance(kind="key_project", details={"column": 3, "name": "肉牛改良", "missing_years": [2022, 2023]})
    assert sentence(key, "en") == "Box 3: the key project “肉牛改良” is not found in the annex of 2022, 2023."
    assert sentence(key, "zh") == "专栏3：重点项目“肉牛改良”在2022、2023年的附表中找不到。"
    years = _variance(kind="years", stated=Decimal("2000"), computed=Decimal("200"), difference=Decimal("-1800"),
                      metric="talent_exchanges", details={"years": [2021, 2022], "unit": "人次"})
    assert "(2021, 2022)" in sentence(years, "en") and "2000 人次" in sentence(years, "en")
    unnamed = Category(pk=8, name_zh="乡村旅游类", name_en="")
    empty = _variance(kind="category_empty", year=2022, category=unnamed, details={})
    assert sentence(empty, "en").startswith("2022 · 乡村旅游类: the plan text gives figures for 乡村旅游类")
