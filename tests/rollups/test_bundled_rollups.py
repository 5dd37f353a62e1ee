"""Totals of the bundled plan against sums computed here from the plan document, and its disagreements."""

from collections import defaultdict
from decimal import Decimal

import pytest

from rollups.models import Rollup, Variance
from rollups.queries import rollups_json, variances_json
from tests.importers_seed import SEED, annex_rows

pytestmark = pytest.mark.skipif(not SEED.exists(), reason="the plan document is not beside the project")


def test_rollups_equal_sums_computed_from_the_document(bundled):
    expected = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in annex_rows():
        for key in ((row["year"], row["category"]), (row["year"], None), (None, None)):
            expected[key][0] += 1
            expected[key][1] += row["total"]
            expected[key][2] += row["beijing"]
            expected[key][3] += row["local"]
    got = {
        (r["year"], r["category"]): [r["projects"], Decimal(r["total_investment"]), Decimal(r["beijing_funds"]),
                                     Decimal(r["local_funds"])]
        for r in rollups_json(bundled)
    }
    assert got == dict(expected)
    assert got[(None, None)] == [148, Decimal("65971.91"), Decimal("56832.60"), Decimal("9139.31")]


def test_units_and_townships_are_rolled_up_too(bundled):
    units = Rollup.objects.filter(plan=bundled, kind="unit", year__isnull=True)
    assert sum(r.projects for r in units) == 148
    townships = Rollup.objects.filter(plan=bundled, kind="township", year__isnull=True, township__isnull=False)
    assert townships.exists()


def _differs(plan, **filters):
    return Variance.objects.filter(plan=plan, status="differs", **filters)


def test_each_kind_of_disagreement_in_the_bundled_plan(bundled):
    # An annex 合计 row against the project rows: 2022 says 35 projects, there are 34.
    total_2022 = _differs(bundled, kind="figure", year=2022, category__isnull=True, metric="projects",
                          figure__origin="annex").get()
    assert (total_2022.stated, total_2022.computed, total_2022.difference) == (35, 34, -1)
    assert "2022年" in total_2022.source and "第 4 行" in total_2022.source
    # A subtotal row that says 1个 above three rows (2025 社会事业类).
    social = _differs(bundled, kind="figure", year=2025, category__name_zh="社会事业类", metric="projects",
                      figure__origin="annex").get()
    assert (social.stated, social.computed) == (1, 3)
    # A 合计 row against the subtotal rows under it (2025: 29 against 26).
    parts = _differs(bundled, kind="parts", year=2025, metric="projects", figure__origin="annex").get()
    assert (parts.stated, parts.computed) == (29, 26)
    # The narrative against the annex: 2021 乡村旅游类 980 against 80.
    tourism = _differs(bundled, kind="figure", year=2021, category__name_zh="乡村旅游类", metric="beijing_funds",
                       figure__origin="narrative").get()
    assert (tourism.stated, tourism.computed) == (Decimal("980"), Decimal("80"))
    assert "第142行" in tourism.source
    # Five-year totals against the sum of their years.
    years = {v.metric: v for v in _differs(bundled, kind="years")}
    assert (years["beijing_funds"].stated, years["beijing_funds"].computed) == (Decimal("54881.65"),
                                                                               Decimal("54956.65"))
    assert (years["talent_exchanges"].stated, years["talent_exchanges"].computed) == (2000, 200)
    assert "projects" not in years  # 151 = 25 + 35 + 33 + 29 + 29 agrees
    # Key projects of the 专栏 boxes missing from their year's annex.
    missing = {v.details["name"] for v in _differs(bundled, kind="key_project")}
    assert "科右中旗创建“青年之家”项目" in missing and "巴彦呼舒镇非遗扶贫就业工坊项目" in missing
    assert "乡村旅游景点打造项目--新佳木苏木" not in missing  # tolerant: a place after "--"
    assert len(missing) == 6  # 青年之家 (专栏13–16, one name) and the five 专栏19 names
    # Targets the project data cannot count are listed as such, not as disagreements.
    jobs = Variance.objects.filter(plan=bundled, kind="figure", metric="jobs_created", year=2021).get()
    assert jobs.status == "not_computable"


def test_json_lists_only_disagreements_with_their_source(bundled):
    rows = variances_json(bundled)
    assert rows and all(r["stated"] is not None or r["metric"] == "key_project" for r in rows)
    assert {"year", "category", "metric", "stated", "computed", "difference", "source"} <= set(rows[0])
    assert all(r["status"] == "differs" for r in rows)
