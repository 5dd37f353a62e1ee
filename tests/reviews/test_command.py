"""The shell's door to the review: `review_year` takes the same steps, and with --confirm the same check code."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from funding.services import budget_update
from plans.models import PlanYear
from reviews.models import ReviewEvent
from reviews.queries import year_figures


def _run(plan, action, user, *extra):
    out = StringIO()
    call_command("review_year", "--plan", plan.code, "--year", "2021", "--action", action, "--user", user.username,
                 *extra, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_figures_and_their_check_code(plan, budget, staff):
    out = _run(plan, "submit", staff)
    code = year_figures(budget.plan_year).digest
    assert f"check code {code}" in out and "1,500.00" in out
    assert ReviewEvent.objects.get().snapshot["digest"] == code


def test_approving_with_a_stale_check_code_is_refused(plan, budget, staff, liaison):
    _run(plan, "submit", staff)
    seen = year_figures(budget.plan_year).digest
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("801"))
    with pytest.raises(CommandError, match="2021"):
        _run(plan, "approve", liaison, "--confirm", seen)
    assert PlanYear.objects.get(pk=budget.plan_year_id).review_status == "submitted"
    _run(plan, "approve", liaison, "--confirm", year_figures(budget.plan_year).digest)
    assert PlanYear.objects.get(pk=budget.plan_year_id).locked
