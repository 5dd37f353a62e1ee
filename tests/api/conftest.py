"""API fixtures: a member of each role, an outsider, clients signed in as them, and reported records."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from figures.models import StatedFigure
from indicators.services import indicators_load
from plans.models import PlanYear
from plans.services import membership_set
from tests.factories import UserFactory


def member(plan, role):
    user = UserFactory()
    membership_set(plan=plan, user=user, role=role)
    return user


@pytest.fixture
def staff(plan):
    return member(plan, "staff")


@pytest.fixture
def liaison(plan):
    return member(plan, "liaison")


@pytest.fixture
def plan_admin(plan):
    return member(plan, "admin")


@pytest.fixture
def outsider(other_plan):
    """An administrator of another plan: for this plan, everything is "not found"."""
    return member(other_plan, "admin")


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
    return indicators_load(plan=plan, rows=rows, source="专栏1 主要指标")[0]


def approve(plan, year):
    PlanYear.objects.filter(plan=plan, year=year).update(review_status=PlanYear.Review.APPROVED)
