import csv
from pathlib import Path

import pytest

VILLAGES_CSV = Path(__file__).parents[2] / "fixtures" / "keyouzhongqi-2021-2025" / "villages.csv"


@pytest.fixture
def bundled(db, settings):
    """The bundled plan, loaded with its banner's village list, recomputed once."""
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    from portal.bundled import bundled_plan_ensure

    plan, _created = bundled_plan_ensure()
    return plan


@pytest.fixture(scope="session")
def village_rows():
    """The bundled list as the file says it: code → (township, village)."""
    with open(VILLAGES_CSV, encoding="utf-8-sig") as handle:
        return {row["code"]: (row["township"], row["village"]) for row in csv.DictReader(handle)}
