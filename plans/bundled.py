"""The plan PlanPortal ships with: 科右中旗's 2021–2025 京蒙协作 plan.

Its figures live in fixtures/keyouzhongqi-2021-2025/, produced from the plan
document by tools/build_bundled_fixtures.py.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from indicators.services import indicators_load
from plans.models import Plan
from plans.services import plan_create

BUNDLED_CODE = "keyouzhongqi-2021-2025"
BUNDLED_DIR = Path(settings.BASE_DIR) / "fixtures" / BUNDLED_CODE


def bundled_figures() -> dict:
    with open(BUNDLED_DIR / "stated_figures.json", encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def bundled_plan_ensure() -> tuple[Plan, bool]:
    """The bundled plan, created with its indicators the first time. Returns (plan, created)."""
    existing = Plan.objects.filter(code=BUNDLED_CODE).first()
    if existing is not None:
        return existing, False
    figures = bundled_figures()
    info = figures["plan"]
    plan = plan_create(
        code=info["code"],
        name=info["name"],
        county=info["county"],
        partner=info["partner"],
        first_year=info["first_year"],
        last_year=info["last_year"],
    )
    indicators_load(plan=plan, rows=figures["indicators"], source="专栏1 主要指标")
    return plan, True
