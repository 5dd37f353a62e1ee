"""Entering and correcting a year's value: who may, what is refused, what history keeps."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators.models import IndicatorValue
from indicators.overview import corrections
from indicators.services import indicator_value_set
from tests.factories import UserFactory
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


def test_staff_enter_a_value(indicators, staff):
    entry = indicator_value_set(
        indicator=indicators["main-2"], year=2022, value="98.5", user=staff, note="年报", evidence_text="统计局表3"
    )
    entry.refresh_from_db()
    assert entry.value == Decimal("98.5") and isinstance(entry.value, Decimal)
    assert (entry.entered_by, entry.note, entry.evidence_text) == (staff, "年报", "统计局表3")


def test_a_user_who_may_not_edit_the_plan_is_refused(indicators, liaison, outsider):
    superuser = UserFactory(is_superuser=True)
    for user in (liaison, outsider, AnonymousUser(), UserFactory()):
        with pytest.raises(PermissionDenied):
            indicator_value_set(indicator=indicators["main-2"], year=2022, value="98", user=user)
    assert not IndicatorValue.objects.exists()
    indicator_value_set(indicator=indicators["main-2"], year=2022, value="98", user=superuser)
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize(
    "year, value, field",
    [
        (2020, "1", "year"),  # before the plan
        (2026, "1", "year"),  # after it
        (2022, "abc", "value"),
        (2022, "NaN", "value"),
        (2022, 0.1, "value"),  # a float has already lost the typed figure
        (2022, "1.00001", "value"),  # finer than the column keeps
        (2022, "1" * 12, "value"),  # more digits than the column keeps
    ],
)
def test_bad_input_is_refused_by_field(indicators, staff, year, value, field):
    with pytest.raises(ValidationError) as refused:
        indicator_value_set(indicator=indicators["main-2"], year=year, value=value, user=staff)
    assert field in refused.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_a_count_cannot_be_negative_but_a_rate_can(indicators, staff):
    count = indicators["main-2"]
    count.unit = "个"
    count.save()
    with pytest.raises(ValidationError) as refused:
        indicator_value_set(indicator=count, year=2022, value="-3", user=staff)
    assert [e.code for e in refused.value.error_dict["value"]] == ["negative_count"]
    assert not IndicatorValue.objects.exists()
    rate = indicators["main-3"]
    rate.unit = "%"
    rate.save()
    assert indicator_value_set(indicator=rate, year=2022, value="-1.5", user=staff).value == Decimal("-1.5")


def test_a_correction_keeps_the_old_value_and_who_changed_it(indicators, staff, plan):
    from plans.services import membership_set

    colleague = UserFactory(username="colleague")
    membership_set(plan=plan, member=colleague, role="admin", user=SYSTEM)
    indicator = indicators["main-1"]
    indicator_value_set(indicator=indicator, year=2022, value="1.2", user=staff, note="初报")
    entry = indicator_value_set(indicator=indicator, year=2022, value="0.9", user=colleague, note="核实后更正")

    assert IndicatorValue.objects.filter(indicator=indicator).count() == 1  # corrected in place
    assert (entry.value, entry.entered_by) == (Decimal("0.9"), colleague)
    history = list(entry.history.order_by("history_date").values_list("value", "history_user__username", "history_type"))
    assert history == [(Decimal("1.2"), staff.username, "+"), (Decimal("0.9"), "colleague", "~")]
    newest = corrections(indicator)[0]
    assert (newest.old_value, newest.new_value, newest.who, newest.change, newest.note) == (
        Decimal("1.2"), Decimal("0.9"), colleague, "~", "核实后更正"
    )


def test_one_value_per_indicator_and_year_in_the_database(indicators, staff):
    indicator = indicators["main-2"]
    IndicatorValue.objects.create(indicator=indicator, year=2022, value=1, entered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=2022, value=2, entered_at=timezone.now())


def test_a_correction_without_a_new_file_keeps_the_evidence(indicators, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    indicator = indicators["main-2"]
    pdf = SimpleUploadedFile("年报.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    first = indicator_value_set(indicator=indicator, year=2023, value="97", user=staff, evidence_file=pdf)
    stored = first.evidence_file.name
    assert stored.startswith("indicator-evidence/") and (tmp_path / stored).read_bytes() == b"%PDF-1.4 report"
    again = indicator_value_set(indicator=indicator, year=2023, value="98", user=staff)
    assert again.evidence_file.name == stored
