"""The admin lists values and derived counts, with the history of corrections."""

import pytest
from django.urls import reverse

from indicators.models import DerivedValue, IndicatorValue
from indicators.services import derived_refresh, indicator_value_set

pytestmark = pytest.mark.django_db


def test_values_and_derived_counts_show_in_the_admin(admin_client, plan, indicators, staff):
    entry = indicator_value_set(indicator=indicators["main-2"], year=2021, value="96", user=staff)
    indicator_value_set(indicator=indicators["main-2"], year=2021, value="97", user=staff)
    derived_refresh(plan=plan)
    assert admin_client.get(reverse("admin:indicators_indicatorvalue_changelist")).status_code == 200
    history = admin_client.get(reverse("admin:indicators_indicatorvalue_history", args=[entry.pk]))
    assert history.status_code == 200 and staff.username in history.content.decode()
    derived = DerivedValue.objects.first()
    assert admin_client.get(reverse("admin:indicators_derivedvalue_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:indicators_derivedvalue_change", args=[derived.pk])).status_code == 200
    assert admin_client.get(reverse("admin:indicators_derivedvalue_add")).status_code == 403


def test_a_value_saved_in_the_admin_records_who_entered_it(admin_client, admin_user, indicators):
    response = admin_client.post(
        reverse("admin:indicators_indicatorvalue_add"),
        {"indicator": indicators["main-2"].pk, "year": 2024, "value": "99", "note": "", "evidence_text": ""},
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.get(year=2024).entered_by == admin_user
    refused = admin_client.post(
        reverse("admin:indicators_indicatorvalue_add"),
        {"indicator": indicators["main-2"].pk, "year": 2030, "value": "99", "note": "", "evidence_text": ""},
    )
    assert refused.status_code == 200 and not IndicatorValue.objects.filter(year=2030).exists()
