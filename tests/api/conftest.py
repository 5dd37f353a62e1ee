"""API fixtures: a member of each role, an outsider, clients signed in as them, and reported records."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from figures.models import StatedFigure
from indicators.services import indicators_load
from plans.models import PlanYear
from tests.conftest import member  # noqa: F401 — re-exported for the tests of this folder
from plans.access import SYSTEM




@pytest.fixture
def client_for():
    """client_for(user) → an APIClient signed in (session) as the user; client_for(None) → anonymous."""
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client
    return make


@pytest.fixture
def figure(plan):
    return StatedFigure.objects.create(
        plan=plan, origin=StatedFigure.Origin.ANNEX, year=2021, metric="projects", value=Decimal("2"),
        source="2021年附表 合计行", sheet="2021年", row=4, slot=StatedFigure.slot_for("annex", 2021, None, "projects"),
    )


@pytest.fixture
def indicator(plan):
    rows = [{"seq": 2, "name": "脱贫人口巩固率", "unit": "%", "target": "100", "target_year": 2025,
             "attribute": "binding"}]
    return indicators_load(plan=plan, rows=rows, source="专栏1 主要指标", user=SYSTEM)[0]


def approve(plan, year):
    PlanYear.objects.filter(plan=plan, year=year).update(review_status=PlanYear.Review.APPROVED)
