"""Parts of the final evaluation read elsewhere and written out here: indicators, key projects, open disagreements.

Indicators: target and progress exactly as the indicator pages compute them (indicators.overview and
indicators.progress: the final value is the latest value within the plan's years), with the evidence
entered with that value. Key projects and disagreements: the rollups' Variance rows of the last
recompute (kind "key_project": a 专栏 project found in the annex of each of its years or not).
"""

from evaluation.numbers import figure_text
from figures.models import StatedFigure
from indicators.models import Indicator, IndicatorValue
from indicators.numbers import plain_number
from indicators.overview import overview_rows
from indicators.progress import ACHIEVED, NO_DATA
from rollups.models import Variance
from rollups.sentences import sentence


def _plain(value) -> str | None:
    return None if value is None else plain_number(value)


def indicator_rows(plan) -> tuple[list[dict], dict[str, str]]:
    """Every indicator (专栏1 first, then the chapter-2 goals) with its final value; and {goal key: name}."""
    rows = overview_rows(plan=plan)
    evidence = {
        (indicator_id, year): (pk, text, file)
        for indicator_id, year, pk, text, file in IndicatorValue.objects.for_plan(plan).values_list(
            "indicator_id", "year", "pk", "evidence_text", "evidence_file")
    }
    out = []
    for row in rows:
        indicator, progress = row.indicator, row.progress
        value_id, evidence_text, evidence_file = evidence.get((indicator.pk, progress.latest_year), (None, "", ""))
        out.append({
            "indicator_id": indicator.pk,
            "kind": indicator.kind,
            "seq": indicator.seq,
            "name": indicator.name,
            "unit": indicator.unit,
            "attribute": indicator.attribute,
            "direction": indicator.direction,
            "target": plain_number(indicator.target),
            "target_year": indicator.target_year,
            "final_value": _plain(progress.latest_value),
            "final_year": progress.latest_year,
            "percent": None if progress.percent is None else str(progress.percent),
            "status": progress.status,
            # None: nothing was reported within the plan, so whether it was attained is not known.
            "attained": None if progress.status == NO_DATA else progress.status == ACHIEVED,
            "derived_value": _plain(row.derived_value),
            "value_id": value_id,
            "evidence_text": evidence_text or "",
            "evidence_file": evidence_file.rsplit("/", 1)[-1] if evidence_file else None,
            "source": indicator.source,
        })
    goal_names = {row.indicator.key: row.indicator.name for row in rows if row.indicator.kind == Indicator.Kind.GOAL}
    return out, goal_names


def key_project_rows(variances: list[Variance]) -> dict:
    """{"listed", "found", "missing", "items"}: each 专栏 key project and the years its annex lacks it."""
    items = []
    for v in variances:
        if v.kind != Variance.Kind.KEY_PROJECT:
            continue
        d = v.details or {}
        items.append({
            "column": d.get("column"),
            "title": d.get("title", ""),
            "name": d.get("name", ""),
            "years": d.get("years", []),
            "missing_years": d.get("missing_years", []),
            "found": v.status == Variance.Status.AGREES,
            "source": v.source,
        })
    items.sort(key=lambda item: (item["column"] or 0, item["years"][:1]))
    found = sum(1 for item in items if item["found"])
    return {"listed": len(items), "found": found, "missing": len(items) - found, "items": items}


def disagreement_rows(variances: list[Variance], lang: str) -> list[dict]:
    """The checks that still differ, whole plan first, then by year and category, each in words with its source."""
    rows = [v for v in variances if v.status == Variance.Status.DIFFERS]
    rows.sort(key=lambda v: (v.year or 0, v.category.order if v.category_id else -1, v.kind, v.pk or 0))
    out = []
    for v in rows:
        money = v.metric in StatedFigure.MONEY_METRICS or (v.details or {}).get("unit") == "万元"
        out.append({
            "kind": v.kind,
            "year": v.year,
            "category": v.category.name_zh if v.category_id else None,
            "metric": v.metric,
            "stated": figure_text(v.stated, money=money),
            "computed": figure_text(v.computed, money=money),
            "difference": figure_text(v.difference, money=money),
            "source": v.source,
            "text": sentence(v, lang),
        })
    return out
