"""Importing again counts each payment once; a changed voucher is updated with history naming the import;
hand-entered figures give way to the sums; the year lock holds on every door."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.models import AnnualBudget, Disbursement
from funding.services import budget_update, disbursement_create, disbursement_delete, disbursement_update
from plans.access import SYSTEM
from plans.locks import YearLocked
from plans.models import PlanYear
from tests.disbursements.helpers import day, errors, import_annex, row_a, run, sheet_a, write_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def annexed(plan, tmp_path):
    import_annex(plan, tmp_path)
    return plan


def _road(plan, year=2023):
    return AnnualBudget.objects.get(project__plan=plan, project__name="嘎查道路硬化工程", plan_year__year=year)


def _file(tmp_path, name, amount=10, second=5):
    return write_sheets(tmp_path / name, {"拨付": sheet_a([
        row_a(3, "嘎查道路硬化工程", 2023, amount, 1, "2023-05-06", "记-1"),
        row_a(3, "嘎查道路硬化工程", 2023, second, 0, "2023-06-06", "记-2"),
    ])})


def test_the_same_file_again_changes_nothing(annexed, tmp_path):
    first = run(annexed, _file(tmp_path, "a.xlsx"))
    assert first.disbursements.created == 2 and first.budgets_changed == 1
    version = _road(annexed).version
    again = run(annexed, _file(tmp_path, "a.xlsx"))
    assert not again.rejected and again.imported
    assert (again.disbursements.created, again.disbursements.updated, again.disbursements.unchanged) == (0, 0, 2)
    assert again.budgets_changed == 0
    road = _road(annexed)
    assert road.version == version and road.actual_beijing_funds == Decimal("15")
    assert Disbursement.objects.count() == 2


def test_a_changed_voucher_is_updated_with_history(annexed, tmp_path):
    run(annexed, _file(tmp_path, "a.xlsx"))
    version = _road(annexed).version
    report = run(annexed, _file(tmp_path, "b.xlsx", amount=12))
    assert (report.disbursements.created, report.disbursements.updated, report.disbursements.unchanged) == (0, 1, 1)
    road = _road(annexed)
    assert road.actual_beijing_funds == Decimal("17") and road.version == version + 1
    assert road.history.first().history_change_reason == "导入 b.xlsx"
    payment = Disbursement.objects.get(voucher_no="记-1")
    assert payment.beijing_amount == Decimal("12")
    assert [h.beijing_amount for h in payment.history.order_by("history_id")] == [Decimal("10"), Decimal("12")]
    assert payment.history.first().history_change_reason == "导入 b.xlsx"


def test_a_later_file_adds_to_the_earlier_payments(annexed, tmp_path):
    run(annexed, _file(tmp_path, "a.xlsx"))
    later = write_sheets(tmp_path / "c.xlsx", {"拨付": sheet_a([
        row_a(3, "嘎查道路硬化工程", 2023, 3, 0, "2023-09-01", "记-3")])})
    report = run(annexed, later)
    assert report.projects_list[0]["kept"] == 2 and report.projects_list[0]["beijing_after"] == "18.00"
    assert _road(annexed).actual_beijing_funds == Decimal("18")


def test_a_hand_entered_figure_is_replaced_and_then_refused_by_hand(annexed, tmp_path):
    budget_update(budget=_road(annexed), user=SYSTEM, actual_beijing_funds=Decimal("99"),
                  actual_local_funds=Decimal("9"))
    report = run(annexed, _file(tmp_path, "a.xlsx"))
    assert [m.code for m in report.warnings] == ["actual_replaced"]
    assert "99.00" in report.warnings[0].text("en")
    road = _road(annexed)
    assert (road.actual_beijing_funds, road.actual_local_funds) == (Decimal("15"), Decimal("1"))
    with pytest.raises(ValidationError) as refused:
        budget_update(budget=road, user=SYSTEM, actual_beijing_funds=Decimal("20"))
    assert "actual_beijing_funds" in refused.value.error_dict
    budget_update(budget=road, user=SYSTEM, beijing_funds=Decimal("450"))  # other fields stay editable


def test_the_single_services_keep_the_sums(annexed):
    road = _road(annexed)
    payment = disbursement_create(budget=road, user=SYSTEM, paid_on=day("2023-05-06"), voucher_no=" 记－ 9 ",
                                  beijing_amount=Decimal("4"))
    assert payment.voucher_no == "记-9"
    assert _road(annexed).actual_beijing_funds == Decimal("4")
    with pytest.raises(ValidationError):
        disbursement_create(budget=road, user=SYSTEM, paid_on=day("2023-05-06"), voucher_no="记-9",
                            beijing_amount=Decimal("1"))
    with pytest.raises(ValidationError):
        disbursement_create(budget=road, user=SYSTEM, paid_on=day("2023-05-06"), voucher_no="记-10")  # pays nothing
    disbursement_update(disbursement=payment, user=SYSTEM, local_amount=Decimal("2"))
    road = _road(annexed)
    assert (road.actual_beijing_funds, road.actual_local_funds) == (Decimal("4"), Decimal("2"))
    disbursement_delete(disbursement=payment, user=SYSTEM)
    road = _road(annexed)
    assert (road.actual_beijing_funds, road.actual_local_funds) == (None, None)  # not reported any more


def test_a_locked_year_takes_the_same_file_again_but_no_change(annexed, tmp_path):
    run(annexed, _file(tmp_path, "a.xlsx"))
    PlanYear.objects.filter(plan=annexed, year=2023).update(review_status=PlanYear.Review.APPROVED)
    again = run(annexed, _file(tmp_path, "a.xlsx"))
    assert not again.rejected and again.disbursements.unchanged == 2
    changed = run(annexed, _file(tmp_path, "b.xlsx", second=6))
    assert errors(changed) == [("disbursement_locked", "拨付", 5, "记账凭证号")]
    assert Disbursement.objects.get(voucher_no="记-2").beijing_amount == Decimal("5")
    with pytest.raises(YearLocked):
        disbursement_update(disbursement=Disbursement.objects.get(voucher_no="记-2"), user=SYSTEM,
                            beijing_amount=Decimal("6"))
    with pytest.raises(YearLocked):
        disbursement_delete(disbursement=Disbursement.objects.get(voucher_no="记-2"), user=SYSTEM)


def test_the_database_refuses_a_second_voucher_and_an_empty_payment(annexed):
    from django.db import IntegrityError, transaction

    road = _road(annexed)
    Disbursement.objects.create(budget=road, paid_on=day("2023-01-01"), voucher_no="x", beijing_amount=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(budget=road, paid_on=day("2023-01-02"), voucher_no="x", local_amount=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(budget=road, paid_on=day("2023-01-02"), voucher_no="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(budget=road, paid_on=day("2023-01-02"), voucher_no="z",
                                    beijing_amount=Decimal(-1), local_amount=Decimal(2))
    # Another project's year may carry the same voucher number (one voucher paying several projects).
    other = _road(annexed, 2024)
    Disbursement.objects.create(budget=other, paid_on=day("2024-01-02"), voucher_no="x", beijing_amount=Decimal(1))
