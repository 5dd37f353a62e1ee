"""manage.py indicators --plan CODE [--json]."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.services import derived_refresh, indicator_value_set

pytestmark = pytest.mark.django_db

KEYS = {"name", "unit", "target", "target_year", "attribute", "direction", "latest_value", "latest_year", "status",
        "kind", "derived_value"}


def _run(*args) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_indicator_with_exact_decimals_and_nulls(plan, indicators, staff):
    indicator_value_set(indicator=indicators["main-2"], year=2021, value="97.50", user=staff)
    derived_refresh(plan=plan)
    data = json.loads(_run("--plan", plan.code, "--json"))
    rows = {row["name"]: row for row in data["indicators"]}
    assert len(data["indicators"]) == 7
    assert all(KEYS <= set(row) for row in data["indicators"])
    assert {key: rows["脱贫人口巩固率"][key] for key in KEYS} == {
        "name": "脱贫人口巩固率", "unit": "%", "target": "100", "target_year": 2025, "attribute": "binding",
        "direction": "at_least", "latest_value": "97.5", "latest_year": 2021, "status": rows["脱贫人口巩固率"]["status"],
        "kind": "main", "derived_value": None,
    }
    assert rows["脱贫人口巩固率"]["status"] in ("on_track", "at_risk")  # depends on today's year
    assert rows["乡村振兴示范嘎查"]["derived_value"] == "0" and rows["乡村振兴示范嘎查"]["latest_value"] is None
    assert rows["农村低收入人口数"]["direction"] == "at_most"
    assert rows["引进北京落地企业"]["kind"] == "goal" and rows["引进北京落地企业"]["attribute"] == "expected"


def test_text_mode_prints_a_table(plan, indicators):
    text = _run("--plan", plan.code)
    assert "脱贫人口巩固率" in text and "no_data" in text and "引进北京落地企业" in text


def test_an_unknown_plan_is_an_error():
    with pytest.raises(CommandError, match="no-such-plan"):
        _run("--plan", "no-such-plan")
