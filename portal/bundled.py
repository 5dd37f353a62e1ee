"""The plan PlanPortal ships with: 科右中旗's 2021–2025 京蒙协作 plan.

Its figures live in fixtures/keyouzhongqi-2021-2025/, produced from the plan
document by tools/build_bundled_fixtures.py: the annex workbook (imported like
any admin's upload) and the figures the plan states outside the annex. Beside
them, villages.csv: the banner's 173 administrative villages in their 12
townships with their 12-digit codes (NBS 统计用区划代码 2020, a copy of
../shared/data/keyouzhongqi-gazetteer.csv, whose README says where it comes
from), loaded like any banner's list (projects.gazetteer) so the annex's places
that name a 嘎查 alone get their 苏木/镇.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from figures.services import key_projects_load, narrative_figures_load
from importers.batches import batch_create, batch_record
from importers.services import ImportFile, annex_import
from indicators.services import indicators_load
from plans.access import SYSTEM
from plans.models import Plan
from plans.services import plan_create
from projects.services import village_list_apply
from rollups.services import recompute_plan

BUNDLED_CODE = "keyouzhongqi-2021-2025"
BUNDLED_DIR = Path(settings.BASE_DIR) / "fixtures" / BUNDLED_CODE
BUNDLED_ANNEX = BUNDLED_DIR / "annex.xlsx"
BUNDLED_VILLAGES = BUNDLED_DIR / "villages.csv"


def bundled_figures() -> dict:
    with open(BUNDLED_DIR / "stated_figures.json", encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def bundled_plan_ensure(*, user=SYSTEM) -> tuple[Plan, bool]:
    """The bundled plan with its annex, stated figures and indicators; created once. Returns (plan, created)."""
    existing = Plan.objects.filter(code=BUNDLED_CODE).first()
    if existing is not None:
        bundled_villages_ensure(user=user)  # a plan loaded before the list was bundled gets its places now
        return existing, False
    figures = bundled_figures()
    info = figures["plan"]
    plan = plan_create(
        user=user, code=info["code"], name=info["name"], county=info["county"], partner=info["partner"],
        first_year=info["first_year"], last_year=info["last_year"],
    )
    bundled_villages_ensure(user=user)  # before the annex, so its rows' places are recognised with it
    indicators_load(plan=plan, rows=figures["indicators"], source="专栏1 主要指标", goals=figures["targets"],
                    user=user)
    narrative_figures_load(plan=plan, targets=figures["targets"], user=user)
    key_projects_load(plan=plan, columns=figures["key_projects"], user=user)
    with open(BUNDLED_ANNEX, "rb") as handle:
        batch = batch_create(plan=plan, uploads=[(BUNDLED_ANNEX.name, handle)], user=user)
    stored = batch.files.get()
    report = annex_import(plan=plan, files=[ImportFile(path=Path(stored.file.path), name=stored.original_name)],
                          user=user, batch=batch)
    batch_record(batch.pk, report)
    if report.rejected:
        raise RuntimeError(f"the bundled annex does not import: {[m.text('en') for m in report.errors]}")
    recompute_plan(plan.pk)  # the totals are there from the first page view
    return plan, True


def bundled_villages_ensure(*, user=SYSTEM):
    """The bundled banner's village list, loaded once (a reload of the same file changes nothing), and the
    places of the banner's plans recognised with it. Returns projects.services.village_list_apply's answer."""
    county = bundled_figures()["plan"]["county"]
    return village_list_apply(county=county, data=BUNDLED_VILLAGES.read_bytes(), file_name=BUNDLED_VILLAGES.name,
                              user=user)
