"""The synthetic world the benchmarks run on (portal.synthetic, `manage.py generate_synthetic`).

Built by COPY on PostgreSQL and by bulk_create elsewhere: the suite runs on both, so both paths must give
rows every model accepts, and a recompute over them must give totals equal to the rows."""

from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from figures.models import StatedFigure
from funding.models import AnnualBudget
from plans.models import Category, Plan, PlanMembership, PlanYear
from portal.synthetic import synthetic_generate
from projects.models import ImplementingUnit, Place, Project, UnitAlias
from projects.services import plan_unit_key
from rollups.models import RecomputeState, Rollup, Variance

pytestmark = pytest.mark.django_db

PLAN_PATH = {Plan: "pk__in", PlanYear: "plan__in", Category: "plan__in", Place: "plan__in",
             ImplementingUnit: "plan__in", UnitAlias: "plan__in", Project: "plan__in",
             AnnualBudget: "plan_year__plan__in", StatedFigure: "plan__in"}


@pytest.fixture
def world():
    return synthetic_generate(plans=3, budgets_per_plan=60, prefix="t", members=(("reader", "liaison"),))


def test_every_row_passes_its_models_validation(world):
    for model in PLAN_PATH:
        rows = list(model.objects.filter(**{PLAN_PATH[model]: world.plans}))
        assert rows, model
        for row in rows:
            row.full_clean()  # field types and choices, unique constraints, cross-plan rules (clean())


def test_the_world_has_the_size_and_the_shape_asked_for(world):
    assert len(world.plans) == 3
    assert AnnualBudget.objects.filter(plan_year__plan__in=world.plans).count() == 180 == world.budgets
    assert sorted(Plan.objects.filter(pk__in=world.plans).values_list("code", flat=True)) == ["t-0001", "t-0002",
                                                                                              "t-0003"]
    years = defaultdict(list)
    for project_id, year, nature in AnnualBudget.objects.filter(plan_year__plan__in=world.plans).values_list(
            "project_id", "plan_year__year", "nature"):
        years[project_id].append((year, nature))
    spans = Counter(len(v) for v in years.values())
    assert spans[1] and sum(n for length, n in spans.items() if length > 1), spans  # one-year and multi-year
    for rows in years.values():
        rows.sort()
        assert [y for y, _ in rows] == list(range(rows[0][0], rows[0][0] + len(rows)))  # consecutive years
        assert all(nature == "续建" for _, nature in rows[1:])  # continued after its first year
    statuses = set(PlanYear.objects.filter(plan__in=world.plans).values_list("review_status", flat=True))
    assert {"approved", "open"} <= statuses and len(statuses) >= 3
    assert PlanMembership.objects.filter(user__username="reader", plan__in=world.plans, role="liaison").count() == 3


def test_units_have_several_spellings_each_under_its_own_key(world):
    plan = Plan.objects.get(pk=world.plans[0])
    aliases = list(UnitAlias.objects.filter(plan=plan))
    assert all(alias.key == plan_unit_key(plan, alias.spelling) for alias in aliases)
    per_unit = Counter(alias.unit_id for alias in aliases)
    assert max(per_unit.values()) >= 2 and len(per_unit) == ImplementingUnit.objects.filter(plan=plan).count()
    # Township governments and their townships are the plan's own places.
    assert Project.objects.filter(plan=plan, township__isnull=False, village__parent=F("township")).count() \
        == Project.objects.filter(plan=plan).count()


def test_the_recompute_adds_up_the_rows_and_finds_exactly_the_planted_disagreements(world):
    for plan_id in world.plans:
        state = RecomputeState.objects.get(plan_id=plan_id)
        assert state.computed_at is not None and not state.last_error
        total = Rollup.objects.get(plan_id=plan_id, kind=Rollup.Kind.TOTAL, year=None)
        rows = AnnualBudget.objects.filter(plan_year__plan_id=plan_id).totals()
        assert (total.beijing_funds, total.total_investment, total.projects) == (
            rows["beijing_funds"], rows["total_investment"], rows["budgets"])
        assert isinstance(total.beijing_funds, Decimal)
    differs = Variance.objects.filter(plan_id__in=world.plans, kind=Variance.Kind.FIGURE,
                                      status=Variance.Status.DIFFERS).count()
    agrees = Variance.objects.filter(plan_id__in=world.plans, kind=Variance.Kind.FIGURE,
                                     status=Variance.Status.AGREES).count()
    assert differs == world.disagreements_planted > 0
    assert agrees == world.stated_figures - differs > differs


def test_a_second_call_adds_plans_after_the_first_ones(world):
    more = synthetic_generate(plans=1, budgets_per_plan=5, prefix="t", recompute=False)
    assert Plan.objects.get(pk=more.plans[0]).code == "t-0004"
    assert not Rollup.objects.filter(plan_id=more.plans[0]).exists()


def test_the_command(db):
    out = StringIO()
    call_command("generate_synthetic", "--plans", "2", "--budgets-per-plan", "7", "--prefix", "cmd",
                 "--member", "ops:admin", stdout=out)
    assert "Added 2 plans" in out.getvalue() and "14 budgets" in out.getvalue()
    assert PlanMembership.objects.filter(user__username="ops", role="admin").count() == 2
    with pytest.raises(CommandError, match="USERNAME:ROLE"):
        call_command("generate_synthetic", "--plans", "1", "--member", "ops:owner")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_synthetic", "--plans", "0")
