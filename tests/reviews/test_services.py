"""The review cycle: who may take which step from which state, what each step keeps, what it locks."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from funding.models import AnnualBudget
from funding.services import budget_delete, budget_update
from plans.locks import YearLocked
from plans.models import Category, PlanYear
from projects.services import project_update
from reviews.models import ReviewEvent
from reviews.queries import year_figures
from reviews.services import StaleFigures, year_approve, year_reopen, year_return, year_submit
from rollups.models import Variance
from tests.factories import BudgetFactory, ProjectFactory
from tests.reviews.helpers import set_status, stated_figure

OPEN, SUBMITTED, RETURNED, APPROVED = "open", "submitted", "returned", "approved"


def test_the_full_cycle(budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff, note="请审核")
    assert year.review_status == SUBMITTED
    year_return(plan_year=year, user=liaison, reason="京蒙资金与附表合计不符，请核对")
    assert year.review_status == RETURNED

    budget_update(budget=budget, user=staff, beijing_funds=Decimal("810.25"))
    year_submit(plan_year=year, user=staff)
    year_approve(plan_year=year, user=liaison, note="已核对")
    year.refresh_from_db()
    assert year.locked and year.review_changed_by == liaison and year.review_changed_at is not None

    with pytest.raises(YearLocked):
        budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal("1"))
    assert AnnualBudget.objects.get(pk=budget.pk).beijing_funds == Decimal("810.25")

    year_reopen(plan_year=year, user=liaison, reason="审计发现2021年资金需调整")
    assert year.review_status == OPEN
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal("1"))
    assert AnnualBudget.objects.get(pk=budget.pk).beijing_funds == Decimal("1")

    events = list(ReviewEvent.objects.for_year(year).values_list("action", "from_status", "to_status", "reason",
                                                                 "user_name"))
    assert events == [
        ("submit", OPEN, SUBMITTED, "请审核", "县办"),
        ("return", SUBMITTED, RETURNED, "京蒙资金与附表合计不符，请核对", liaison.username),
        ("submit", RETURNED, SUBMITTED, "", "县办"),
        ("approve", SUBMITTED, APPROVED, "已核对", liaison.username),
        ("reopen", APPROVED, OPEN, "审计发现2021年资金需调整", liaison.username),
    ]


def test_the_snapshot_keeps_what_was_approved(budget, staff, liaison):
    year = budget.plan_year
    Variance.objects.create(plan=year.plan, kind="figure", status="differs", year=2021, metric="beijing_funds",
                            source="附表2021 第5行", computed_at=year.plan.created_at)
    Variance.objects.create(plan=year.plan, kind="figure", status="differs", year=2022, metric="beijing_funds",
                            source="附表2022 第5行", computed_at=year.plan.created_at)
    year_submit(plan_year=year, user=staff)
    approval = year_approve(plan_year=year, user=liaison)
    assert approval.snapshot == {"projects": 1, "total_investment": "1500.00", "beijing_funds": "800.00",
                                 "local_funds": "700.00", "actual_beijing_funds": None, "actual_local_funds": None,
                                 "open_disagreements": 1, "digest": year_figures(year).digest}
    year_reopen(plan_year=year, user=liaison, reason="调整")
    budget_update(budget=budget, user=staff, local_funds=Decimal("699.9999"))
    approval.refresh_from_db()
    assert approval.snapshot["local_funds"] == "700.00"  # what was signed off stays as it was
    assert year_submit(plan_year=year, user=staff).snapshot["local_funds"] == "699.9999"


def test_an_empty_year_snapshots_zero(year_2021, staff):
    snapshot = year_submit(plan_year=year_2021, user=staff).snapshot
    assert snapshot == {
        "projects": 0, "total_investment": "0.00", "beijing_funds": "0.00", "local_funds": "0.00",
        "actual_beijing_funds": None, "actual_local_funds": None, "open_disagreements": 0,
        "digest": snapshot["digest"]}
    assert len(snapshot["digest"]) == 12


def test_disbursements_are_kept_when_reported(budget, staff):
    budget_update(budget=budget, user=staff, actual_beijing_funds=Decimal("300.5"))
    snapshot = year_submit(plan_year=budget.plan_year, user=staff).snapshot
    assert (snapshot["actual_beijing_funds"], snapshot["actual_local_funds"]) == ("300.50", None)


# --- the confirmation: a step carries the check code of the figures the user confirmed ------------------------

def test_a_step_on_the_confirmed_figures_is_taken(budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff, confirmed=year_figures(year).digest)
    event = year_approve(plan_year=year, user=liaison, confirmed=year_figures(year).digest)
    assert PlanYear.objects.get(pk=year.pk).locked and event.snapshot["digest"] == year_figures(year).digest


@pytest.mark.parametrize("change", ["amount", "new budget", "deleted budget", "category", "stated figure",
                                    "no-op save"])
def test_approving_figures_that_changed_since_the_confirmation_is_refused(change, plan, budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    seen = year_figures(year).digest
    if change == "amount":
        budget_update(budget=budget, user=staff, beijing_funds=Decimal("801"))
    elif change == "new budget":
        BudgetFactory(project=ProjectFactory(plan=plan))
    elif change == "deleted budget":
        budget_delete(budget=budget, user=staff)
    elif change == "category":
        other = Category.objects.filter(plan=plan).exclude(pk=budget.project.category_id).first()
        project_update(project=budget.project, user=staff, category=other)
    elif change == "stated figure":
        stated_figure(plan, "annex", 2021, None, "beijing_funds", "790")
    else:  # a save that changes no figure is still a change of the year's records: look again
        budget_update(budget=budget, user=staff, serial_no="7")
    with pytest.raises(StaleFigures) as refused:
        year_approve(plan_year=year, user=liaison, confirmed=seen)
    assert refused.value.code == "stale_figures" and "2021" in refused.value.messages[0]
    assert PlanYear.objects.get(pk=year.pk).review_status == SUBMITTED
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == ["submit"]
    year_approve(plan_year=year, user=liaison, confirmed=year_figures(year).digest)  # once seen anew: taken


def test_the_check_code_does_not_change_without_a_change(budget, staff, liaison):
    year = budget.plan_year
    before = year_figures(year).digest
    year_submit(plan_year=year, user=staff)
    year_return(plan_year=year, user=liaison, reason="请核对")
    assert year_figures(year).digest == before
    other_year = PlanYear.objects.get(plan=year.plan, year=2022)
    BudgetFactory(project=budget.project, plan_year=other_year)  # another year's budget is not this year's
    assert year_figures(year).digest == before


def test_a_stale_return_names_the_figures_as_they_are_now(budget, staff, liaison):
    year = budget.plan_year
    year_submit(plan_year=year, user=staff)
    seen = year_figures(year).digest
    budget_update(budget=budget, user=staff, total_investment=Decimal("1600"))
    with pytest.raises(StaleFigures) as refused:
        year_return(plan_year=year, user=liaison, reason="请核对", confirmed=seen)
    assert "项目总投资 1,600.00 万元" in refused.value.messages[0]


@pytest.mark.parametrize("step, start, role", [
    (lambda py, u: year_submit(plan_year=py, user=u), OPEN, "liaison"),
    (lambda py, u: year_approve(plan_year=py, user=u), SUBMITTED, "staff"),
    (lambda py, u: year_return(plan_year=py, user=u, reason="理由"), SUBMITTED, "staff"),
    (lambda py, u: year_reopen(plan_year=py, user=u, reason="理由"), APPROVED, "staff"),
], ids=["submit-by-liaison", "approve-by-staff", "return-by-staff", "reopen-by-staff"])
def test_a_role_that_may_not_is_refused(step, start, role, member, year_2021, outsider):
    set_status(year_2021, start)
    for user in (member(role), outsider):
        with pytest.raises(PermissionDenied):
            step(year_2021, user)
    year_2021.refresh_from_db()
    assert year_2021.review_status == start and not ReviewEvent.objects.exists()


def test_a_plan_admin_may_take_every_step(year_2021, admin_member):
    year_submit(plan_year=year_2021, user=admin_member)
    year_return(plan_year=year_2021, user=admin_member, reason="自查退回")
    year_submit(plan_year=year_2021, user=admin_member)
    year_approve(plan_year=year_2021, user=admin_member)
    year_reopen(plan_year=year_2021, user=admin_member, reason="更正")
    assert ReviewEvent.objects.count() == 5


@pytest.mark.parametrize("name, step, wrong_states", [
    ("submit", lambda py, s, l: year_submit(plan_year=py, user=s), [SUBMITTED, APPROVED]),
    ("approve", lambda py, s, l: year_approve(plan_year=py, user=l), [OPEN, RETURNED, APPROVED]),
    ("return", lambda py, s, l: year_return(plan_year=py, user=l, reason="理由"), [OPEN, RETURNED, APPROVED]),
    ("reopen", lambda py, s, l: year_reopen(plan_year=py, user=l, reason="理由"), [OPEN, SUBMITTED, RETURNED]),
])
def test_a_step_from_the_wrong_state_is_refused(name, step, wrong_states, year_2021, staff, liaison):
    for state in wrong_states:
        set_status(year_2021, state)
        with pytest.raises(ValidationError) as refused:
            step(year_2021, staff, liaison)
        assert refused.value.code == "wrong_state" and "2021" in refused.value.messages[0]
        assert PlanYear.objects.get(pk=year_2021.pk).review_status == state
    assert not ReviewEvent.objects.exists()


@pytest.mark.parametrize("blank", ["", "   \n "])
def test_return_and_reopen_need_a_reason(blank, year_2021, liaison):
    set_status(year_2021, SUBMITTED)
    with pytest.raises(ValidationError):
        year_return(plan_year=year_2021, user=liaison, reason=blank)
    set_status(year_2021, APPROVED)
    with pytest.raises(ValidationError):
        year_reopen(plan_year=year_2021, user=liaison, reason=blank)
    assert not ReviewEvent.objects.exists()
    assert PlanYear.objects.get(pk=year_2021.pk).review_status == APPROVED


def test_the_database_refuses_a_return_without_reason(year_2021, liaison):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewEvent.objects.create(plan_year=year_2021, action="return", from_status=SUBMITTED,
                                   to_status=RETURNED, reason="", user=liaison)


def test_reasons_are_kept_trimmed(year_2021, staff, liaison):
    year_submit(plan_year=year_2021, user=staff, note="  请审核 \n")
    event = year_return(plan_year=year_2021, user=liaison, reason="\n 第3行资金有误  ")
    assert event.reason == "第3行资金有误"
    assert ReviewEvent.objects.first().reason == "请审核"
