"""The evaluation's figures: the bundled plan's totals equal its annex, every stated figure is there, types are exact."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluation.report import evaluation_report
from figures.models import KeyProject, StatedFigure
from funding.models import AnnualBudget
from rollups.models import Variance

AMOUNT = re.compile(r"^-?\d+\.\d{2}(\d{2})?$")  # "56832.60", four decimals only for odd yuan


def _sum(rows, path):
    total = Decimal(0)
    for row in rows:
        value = row
        for key in path:
            value = value[key]
        total += Decimal(value)
    return total


def test_bundled_totals_equal_the_annex_rows(bundled):
    report = evaluation_report(bundled)
    totals = report["totals"]
    assert totals["projects"] == 148
    assert totals["planned"] == {"total_investment": "65971.91", "beijing_funds": "56832.60", "local_funds": "9139.31"}
    live = AnnualBudget.objects.for_plan(bundled).totals()  # a live SUM, only to check the rollups against
    assert live["budgets"] == 148
    assert {m: Decimal(totals["planned"][m]) for m in totals["planned"]} == {
        m: live[m] for m in ("total_investment", "beijing_funds", "local_funds")}
    for part in ("years", "categories"):
        assert sum(row["projects"] for row in report[part]) == 148
        for metric in ("total_investment", "beijing_funds", "local_funds"):
            assert _sum(report[part], ("planned", metric)) == Decimal(totals["planned"][metric]), (part, metric)
    assert [y["year"] for y in report["years"]] == [2021, 2022, 2023, 2024, 2025]
    assert [y["projects"] for y in report["years"]] == [25, 34, 32, 29, 28]
    assert sum(c["projects"] for y in report["years"] for c in y["categories"]) == 148
    # Nothing disbursed is reported in the document: zero, and no percentage pretending to be 0 %.
    assert totals["disbursed"] == {"beijing_funds": "0.00", "local_funds": "0.00"}
    assert totals["reported_rows"] == 0 and totals["disbursed_percent"]["beijing_funds"] is None
    assert totals["status"] == {"completed": 0, "in_progress": 0, "cancelled": 0, "never_started": 96}


def test_bundled_stated_figures_key_projects_and_disagreements(bundled):
    report = evaluation_report(bundled)
    scopes = [report["totals"], *report["years"], *report["categories"],
              *(c for y in report["years"] for c in y["categories"])]
    stated = [s for scope in scopes for s in scope["stated"]]
    assert len(stated) == StatedFigure.objects.filter(plan=bundled).count()  # every one, none twice
    funds = next(s for s in report["totals"]["stated"] if s["metric"] == "beijing_funds")
    assert (funds["origin"], funds["value"], funds["computed"], funds["difference"], funds["status"]) == (
        "narrative", "54881.65", "56832.60", "1950.95", "differs")
    assert "第141行" in funds["source"]
    total_2022 = next(s for s in report["years"][1]["stated"] if s["origin"] == "annex" and s["metric"] == "projects")
    assert (total_2022["value"], total_2022["computed"], total_2022["status"]) == ("35", "34", "differs")
    assert "第 4 行" in total_2022["source"]
    keys = report["key_projects"]
    assert keys["listed"] == KeyProject.objects.filter(plan=bundled).count() == 128
    assert (keys["found"], keys["missing"]) == (119, 9)
    missing = {item["name"] for item in keys["items"] if not item["found"]}
    assert "巴彦呼舒镇非遗扶贫就业工坊项目" in missing
    assert report["disagreements_open"] == Variance.objects.filter(plan=bundled, status="differs").count() == 75
    assert all(row["text"] and row["source"] for row in report["disagreements"])
    assert len(report["indicators"]) == 24 and {row["attained"] for row in report["indicators"]} == {None}


def test_the_command_prints_the_json_with_exact_types(bundled):
    out = io.StringIO()
    call_command("evaluation", "--plan", bundled.code, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == json.loads(json.dumps(evaluation_report(bundled)))  # the same dict as the page's
    assert {"plan", "first_year", "last_year", "totals", "categories", "years", "indicators", "key_projects",
            "disagreements_open"} <= set(data)
    assert (data["plan"], data["first_year"], data["last_year"]) == (bundled.code, 2021, 2025)
    for scope in [data["totals"], *data["years"], *data["categories"]]:
        assert set(scope["planned"]) == {"total_investment", "beijing_funds", "local_funds"}
        assert set(scope["disbursed"]) == {"beijing_funds", "local_funds"}
        for value in [*scope["planned"].values(), *scope["disbursed"].values()]:
            assert isinstance(value, str) and AMOUNT.match(value), value
        assert isinstance(scope["projects"], int)
    assert all(isinstance(c["category"], str) for c in data["categories"])
    for row in data["indicators"]:
        assert {"name", "unit", "target", "final_value", "attained"} <= set(row)
        assert isinstance(row["target"], str) and row["attained"] in (True, False, None)
    assert set(data["key_projects"]) >= {"listed", "found"} and isinstance(data["disagreements_open"], int)


def test_disbursements_statuses_and_final_values(small_plan):
    report = evaluation_report(small_plan)
    totals = report["totals"]
    # 3 categories × 2 projects × 5 years; one project in two has 7 万元 disbursed each year.
    assert totals["projects"] == 30
    assert totals["planned"] == {"total_investment": "315.00", "beijing_funds": "217.50", "local_funds": "97.50"}
    assert totals["disbursed"] == {"beijing_funds": "105.00", "local_funds": "0.00"}
    assert totals["reported_rows"] == 15
    assert totals["disbursed_percent"]["beijing_funds"] == "48.3"  # 105 / 217.5
    assert totals["status"] == {"completed": 0, "in_progress": 3, "cancelled": 0, "never_started": 3}
    assert report["years"][0]["status"] == totals["status"]
    first = report["indicators"][0]
    assert (first["target"], first["final_value"], first["final_year"], first["attained"]) == ("10", "9", 2025, False)
    assert first["evidence_text"] == "report 2025"
    assert [row["attained"] for row in report["indicators"]] == [False, True, True]
    assert report["key_projects"] == {**report["key_projects"], "listed": 2, "found": 1, "missing": 1}
    jobs = report["totals"]["stated"][0]
    assert (jobs["metric"], jobs["value"], jobs["unit"], jobs["status"]) == ("jobs_created", "100", "people",
                                                                           "not_computable")


def test_an_amount_with_odd_yuan_stays_exact(small_plan):
    budget = AnnualBudget.objects.for_plan(small_plan).order_by("pk").first()
    AnnualBudget.objects.filter(pk=budget.pk).update(actual_local_funds=Decimal("0.0001"))
    from rollups.services import recompute_plan

    recompute_plan(small_plan.pk)
    assert evaluation_report(small_plan)["totals"]["disbursed"]["local_funds"] == "0.0001"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_sentences_follow_the_language(small_plan, lang):
    rows = evaluation_report(small_plan, lang=lang)["disagreements"]
    assert rows
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rows[0]["text"]) == (lang == "zh-hans")


def test_a_plan_never_computed_evaluates_to_nothing_yet(plan):
    report = evaluation_report(plan)
    assert report["computed_at"] is None and report["totals"]["projects"] == 0
    assert report["totals"]["planned"] == {"total_investment": "0.00", "beijing_funds": "0.00", "local_funds": "0.00"}
    assert report["key_projects"]["listed"] == 0 and report["disagreements_open"] == 0
