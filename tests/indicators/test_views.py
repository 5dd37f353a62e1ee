"""The indicator pages: who sees what, who may enter values, and what a bad entry says."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.forms import EVIDENCE_MAX_BYTES
from indicators.models import IndicatorValue
from indicators.services import derived_refresh, indicator_value_set
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(plan, indicators, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    indicator = indicators["main-2"]
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report")
    entry = indicator_value_set(indicator=indicator, year=2022, value="97", user=staff, evidence_file=pdf)
    return {
        "overview": reverse("plan-indicators", args=[plan.code]),
        "detail": reverse("plan-indicator", args=[plan.code, indicator.pk]),
        "evidence": reverse("plan-indicator-evidence", args=[plan.code, indicator.pk, entry.pk]),
    }


def _post(client, url, headers=None, **data):
    return client.post(url, {"year": 2023, "value": "98.5", "note": "", "evidence_text": "", **data},
                       headers=headers or {})


def test_anonymous_users_are_sent_to_log_in(client, urls):
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert _post(client, urls["detail"]).status_code == 302
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_another_plans_member_finds_nothing(client, urls, outsider):
    client.force_login(outsider)
    for url in urls.values():
        assert client.get(url).status_code == 404, url
    assert _post(client, urls["detail"]).status_code == 404
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_an_indicator_of_another_plan_is_not_found_under_this_plan(client, plan, other_plan, staff):
    from indicators.services import indicators_load
    from tests.indicators.conftest import MAIN_ROWS

    theirs = indicators_load(plan=other_plan, rows=MAIN_ROWS, source="", user=SYSTEM)[0]
    client.force_login(staff)
    assert client.get(reverse("plan-indicator", args=[plan.code, theirs.pk])).status_code == 404


def test_a_liaison_reads_everything_and_changes_nothing(client, urls, liaison):
    client.force_login(liaison)
    for url in urls.values():
        assert client.get(url).status_code == 200, url
    detail = client.get(urls["detail"])
    assert detail.context["form"] is None and b'enctype="multipart/form-data"' not in detail.content
    assert _post(client, urls["detail"]).status_code == 403
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_staff_enter_a_value_with_evidence(client, urls, staff, indicators):
    client.force_login(staff)
    assert client.get(urls["detail"]).context["form"] is not None
    pdf = SimpleUploadedFile("核查报告.pdf", b"%PDF-1.7 ...")
    response = _post(client, urls["detail"], value="99.25", evidence_text="旗统计局", evidence_file=pdf)
    assert response.status_code == 302 and response["Location"] == urls["detail"]
    entry = IndicatorValue.objects.get(indicator=indicators["main-2"], year=2023)
    assert (entry.value, entry.entered_by, entry.evidence_text) == (Decimal("99.25"), staff, "旗统计局")
    assert entry.evidence_file.name.endswith(".pdf")
    page = client.get(urls["detail"]).content.decode()
    assert "99.25" in page and staff.username in page


def test_a_correction_shows_old_and_new_value_on_the_page(client, urls, staff):
    client.force_login(staff)
    _post(client, urls["detail"], year=2022, value="96", opened_year=2022, version=1)
    page = client.get(urls["detail"]).content.decode()
    assert "97 → 96" in page


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"value": "九十"}, "value", "invalid"),
        ({"value": "1e3"}, "value", "invalid"),  # an exponent is not what anyone typed as a figure
        ({"value": "1.2.3"}, "value", "invalid"),
        ({"value": "1.00001"}, "value", "too_many_decimals"),
        ({"value": ""}, "value", "required"),
        ({"year": "2030"}, "year", "year_outside_plan"),
        ({"year": "abc"}, "year", "invalid"),
        ({"evidence_file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES)}, "evidence_file",
         "file_too_big"),
        ({"evidence_file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}, "evidence_file", "file_type"),
        ({"evidence_file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")}, "evidence_file", "file_content"),
    ],
)
def test_bad_input_gets_a_message_at_its_field(client, urls, staff, data, field, code):
    client.force_login(staff)
    response = _post(client, urls["detail"], **data)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors[field]] == [code]
    assert 'class="errorlist' in response.content.decode()
    assert not IndicatorValue.objects.filter(year__in=[2023, 2030]).exists()


def test_the_year_message_names_the_plans_years(client, urls, staff):
    client.force_login(staff)
    response = _post(client, urls["detail"], year="2030", headers={"accept-language": "en"})
    assert "2030 is not a year of this plan (2021–2025)." in response.content.decode()
    chinese = _post(client, urls["detail"], year="2030")
    assert "2030 年不在本规划年限（2021–2025）内。" in chinese.content.decode()


def test_the_overview_groups_indicators_and_shows_progress(client, plan, urls, staff, indicators):
    indicator_value_set(indicator=indicators["main-1"], year=2021, value="1.2", user=staff)
    derived_refresh(plan=plan)
    client.force_login(staff)
    response = client.get(urls["overview"])
    assert response.status_code == 200
    main = {row.indicator.key: row for row in response.context["main_rows"]}
    goals = [row.indicator.key for row in response.context["goal_rows"]]
    assert list(main) == ["main-1", "main-2", "main-3", "main-4", "main-6"]
    assert goals == ["enterprises_introduced", "tourism_demo_gacha"]
    assert main["main-1"].progress.latest_value == Decimal("1.2")
    assert main["main-4"].derived_value == 0
    page = response.content.decode()
    assert "status-at_risk" in page and "status-no_data" in page
    assert 'class="flag"' in page  # binding indicators without this year's value


def test_the_page_shows_the_chart_with_an_accessible_name(client, urls, staff):
    client.force_login(staff)
    page = client.get(urls["detail"]).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'role="img"' in page and "<title id=" in page


def test_pages_are_chinese_by_default(client, urls, staff):
    client.force_login(staff)
    assert "指标" in client.get(urls["overview"]).content.decode()


def test_the_overview_names_the_year_a_binding_value_is_missing_for(client, plan, staff, indicators, monkeypatch):
    import datetime

    from django.urls import reverse

    client.force_login(staff)
    url = reverse("plan-dashboard", kwargs={"code": plan.code})
    monkeypatch.setattr("plans.models.timezone.localdate", lambda: datetime.date(2026, 12, 2))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no value for 2025, the plan" in page and "last year (the plan has ended)." in page
    assert "this year" not in page
    assert "has ended: these are its final figures for the whole period." in page  # the overview leads with it
    assert reverse("plan-evaluation", kwargs={"code": plan.code}) in page


@pytest.mark.parametrize("typed, stored", [("９８．５", "98.5"), ("1,234.5", "1234.5"), (" 12 ", "12")])
def test_a_value_is_read_as_people_type_it(client, urls, staff, typed, stored):
    client.force_login(staff)
    assert _post(client, urls["detail"], value=typed).status_code == 302
    assert IndicatorValue.objects.get(year=2023).value == Decimal(stored)
