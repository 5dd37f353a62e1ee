"""Versions on every record people edit together (issue 10, item 6): stated figures, indicator values and
implementing units, like budgets and projects.

Through each door (the service, the API, the page where there is one, the admin): of two saves based on
the same version the second is refused (StaleEdit / 409 / the form again with the message), nothing the
first one saved is lost, and saving again after seeing the conflict goes through.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from figures.models import StatedFigure
from figures.services import narrative_figures_load, stated_figure_create, stated_figure_update
from indicators.models import IndicatorValue
from indicators.services import indicator_create, indicator_value_set
from planportal.concurrency import StaleEdit
from plans.access import SYSTEM
from projects.models import ImplementingUnit, UnitAlias
from projects.services import (
    alias_delete,
    alias_update,
    unit_add_alias,
    unit_create,
    unit_for_spelling,
    unit_merge,
    unit_update,
)
from tests.admin_forms import admin_form, form_data
from tests.conftest import member
from tests.factories import UnitFactory
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx

pytestmark = pytest.mark.django_db

STALE = "Someone else changed this record"


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_form_from(page: str, model) -> dict:
    data = form_data(page, form_id=f"{model._meta.model_name}_form")
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.fixture
def colleague(plan):
    """The other person editing at the same time."""
    return member(plan, "staff")


@pytest.fixture
def figure(plan):
    return stated_figure_create(plan=plan, user=SYSTEM, metric="projects", value=Decimal("2"), year=2022,
                                source="2022年工作要点")


@pytest.fixture
def indicator(plan):
    return indicator_create(plan=plan, user=SYSTEM, seq=1, name="脱贫人口巩固率", unit="%", target=Decimal("100"),
                            target_year=2025, attribute="binding")


@pytest.fixture
def value(indicator):
    return indicator_value_set(indicator=indicator, year=2022, value="95", note="统计公报", user=SYSTEM)


@pytest.fixture
def unit(plan):
    return unit_create(plan=plan, name="旗农科局", user=SYSTEM)


# --- the records start at version 1 ------------------------------------------------------------------

def test_every_new_record_starts_at_version_1(figure, value, unit):
    assert (figure.version, value.version, unit.version) == (1, 1, 1)
    assert figure.history.get().version == 1 and value.history.get().version == 1


# --- stated figures -------------------------------------------------------------------------------------

def test_stated_figure_service(figure, staff, colleague):
    opened = figure.version
    stated_figure_update(figure=figure, user=colleague, expected_version=opened, value=Decimal("3"))
    with pytest.raises(StaleEdit) as refused:
        stated_figure_update(figure=figure, user=staff, expected_version=opened, label="合计")
    assert (refused.value.current.value, refused.value.current.version) == (Decimal("3"), 2)
    figure.refresh_from_db()
    assert (figure.value, figure.label, figure.version) == (Decimal("3"), "", 2)  # nothing of the second
    stated_figure_update(figure=figure, user=staff, expected_version=refused.value.current.version, label="合计")
    figure.refresh_from_db()
    assert (figure.value, figure.label, figure.version) == (Decimal("3"), "合计", 3)
    assert [h.version for h in figure.history.order_by("history_date", "history_id")] == [1, 2, 3]


def test_stated_figure_api(plan, figure, staff, colleague):
    url = reverse("api-stated-figures-detail", kwargs={"code": plan.code, "pk": figure.pk})
    read = api(staff).get(url).json()
    assert read["version"] == 1
    assert api(colleague).patch(url, {"value": "3", "version": read["version"]}, format="json").status_code == 200
    stale = api(staff).patch(url, {"label": "合计", "version": read["version"]}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert (body["code"], body["current"]["id"], body["current"]["value"], body["current"]["version"]) == (
        "stale", figure.pk, "3", 2)
    figure.refresh_from_db()
    assert (figure.value, figure.label, figure.version) == (Decimal("3"), "", 2)
    # PUT is checked the same way.
    put = api(staff).put(url, {**read, "label": "合计"}, format="json")
    assert put.status_code == 409 and put.json()["code"] == "stale"
    again = api(staff).patch(url, {"label": "合计", "version": body["current"]["version"]}, format="json")
    assert again.status_code == 200 and again.json()["version"] == 3
    figure.refresh_from_db()
    assert (figure.value, figure.label) == (Decimal("3"), "合计")


def test_stated_figure_admin(figure, staff, colleague):
    client = browser(staff)
    url = change_url(figure)
    opened = admin_form(client, url, StatedFigure)
    assert "version" not in opened and opened["opened_version"] == "1"
    stated_figure_update(figure=StatedFigure.objects.get(pk=figure.pk), user=colleague, expected_version=1,
                         value=Decimal("5"))
    opened["label"] = "合计"
    response = client.post(url, opened)
    page = response.content.decode()
    assert response.status_code == 200 and STALE in page
    assert "2.0000 → 5.0000" in page  # what the other person changed
    figure.refresh_from_db()
    assert (figure.value, figure.label, figure.version) == (Decimal("5"), "", 2)
    again = admin_form_from(page, StatedFigure)
    assert again["label"] == "合计" and again["opened_version"] == "2"  # the user's entry, the newer version
    assert client.post(url, again).status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.label, figure.version) == (Decimal("5"), "合计", 3)


def test_bulk_writes_bump_the_version(plan, tmp_path):
    known = UnitFactory(plan=plan, name="旗水利局")  # a unit whose name the import meets as a new spelling
    total = [None, "科右中旗合计1个", None, None, None, None, None, 10, 10, 0, None, None]
    rows = [project_row(1, "肉牛改良项目", 2021, "基础设施类", 10, 10, 0, unit="旗水利局")]
    assert not run_import(plan, write_xlsx(tmp_path / "a.xlsx", {"2021年": annex_sheet(2021, [total, *rows])})).rejected
    figure = StatedFigure.objects.get(plan=plan, origin="annex", metric="total_investment")
    assert figure.version == 1
    known.refresh_from_db()
    assert known.version == 2 and known.aliases.filter(spelling="旗水利局").exists()
    changed = [None, "科右中旗合计1个", None, None, None, None, None, 12, 10, 2, None, None]
    rows = [project_row(1, "肉牛改良项目", 2021, "基础设施类", 12, 10, 2, unit="旗水利局")]
    report = run_import(plan, write_xlsx(tmp_path / "b.xlsx", {"2021年": annex_sheet(2021, [changed, *rows])}))
    assert not report.rejected and report.stated.updated >= 1
    figure.refresh_from_db()
    assert (figure.value, figure.version) == (Decimal("12"), 2)
    assert figure.history.order_by("-history_date", "-history_id").first().version == 2
    with pytest.raises(StaleEdit):  # a form opened before the import
        stated_figure_update(figure=figure, user=SYSTEM, expected_version=1, value=Decimal("11"))
    # The figures the plan's text states, loaded again with a new value.
    target = {"key": "jobs_created", "year": None, "value": "100", "unit": "人",
              "source": {"chapter": "第二章", "line": 141, "quote": "带动就业100人"}}
    narrative_figures_load(plan=plan, targets=[target], user=SYSTEM)
    narrative_figures_load(plan=plan, targets=[{**target, "value": "120"}], user=SYSTEM)
    assert StatedFigure.objects.get(plan=plan, metric="jobs_created").version == 2


# --- indicator values ------------------------------------------------------------------------------------

def test_indicator_value_service(indicator, value, staff, colleague):
    opened = value.version
    indicator_value_set(indicator=indicator, year=2022, value="96", note="统计公报", user=colleague,
                        expected_version=opened)
    with pytest.raises(StaleEdit) as refused:
        indicator_value_set(indicator=indicator, year=2022, value="97", user=staff, expected_version=opened)
    assert (refused.value.current.value, refused.value.current.version) == (Decimal("96"), 2)
    value.refresh_from_db()
    assert (value.value, value.note, value.version) == (Decimal("96"), "统计公报", 2)
    saved = indicator_value_set(indicator=indicator, year=2022, value="97", user=staff,
                                expected_version=refused.value.current.version)
    assert (saved.value, saved.version) == (Decimal("97"), 3)
    # A new entry (0: no value seen) where someone else was first is refused the same way.
    indicator_value_set(indicator=indicator, year=2023, value="98", user=colleague, expected_version=0)
    with pytest.raises(StaleEdit) as first:
        indicator_value_set(indicator=indicator, year=2023, value="99", user=staff, expected_version=0)
    assert first.value.current.value == Decimal("98")
    assert indicator_value_set(indicator=indicator, year=2023, value="99", user=staff,
                               expected_version=first.value.current.version).version == 2


def test_indicator_value_api(plan, indicator, value, staff, colleague):
    url = reverse("api-indicators-values", kwargs={"code": plan.code, "pk": indicator.pk})
    (read,) = api(staff).get(url).json()
    assert read["version"] == 1
    corrected = api(colleague).post(url, {"year": 2022, "value": "96", "version": read["version"]}, format="json")
    assert corrected.status_code == 200 and corrected.json()["version"] == 2
    stale = api(staff).post(url, {"year": 2022, "value": "97", "version": read["version"]}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert (body["code"], body["current"]["id"], body["current"]["value"], body["current"]["version"]) == (
        "stale", value.pk, "96", 2)
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal("96"), 2)
    # A correction must say which version it corrects; a year with no value needs none.
    missing = api(staff).post(url, {"year": 2022, "value": "97"}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["version"]
    new = api(staff).post(url, {"year": 2024, "value": "90"}, format="json")
    assert new.status_code == 201 and new.json()["version"] == 1
    again = api(staff).post(url, {"year": 2022, "value": "97", "version": body["current"]["version"]},
                            format="json")
    assert again.status_code == 200 and again.json()["version"] == 3
    value.refresh_from_db()
    assert value.value == Decimal("97")


def _indicator_page(plan, indicator, year=None) -> str:
    url = reverse("plan-indicator", args=[plan.code, indicator.pk])
    return f"{url}?year={year}" if year else url


def test_indicator_value_page(plan, indicator, value, staff, colleague):
    client = browser(staff)
    url = _indicator_page(plan, indicator, 2022)
    opened = form_data(client.get(url).content.decode(), form_id="value-form")
    assert (opened["version"], opened["opened_year"], opened["value"]) == ("1", "2022", "95.0000")
    # Meanwhile the colleague corrects the value and the note.
    indicator_value_set(indicator=indicator, year=2022, value="96", note="统计年鉴", user=colleague,
                        expected_version=1)
    opened.pop("csrfmiddlewaretoken", None)
    response = client.post(url, {**opened, "value": "97", "evidence_text": "旗统计局"})
    assert response.status_code == 409
    page = response.content.decode()
    assert STALE in page and colleague.username in page
    changes = {change.name: change for change in response.context["conflict"].changes}
    assert set(changes) == {"value", "note"}
    assert changes["value"].yours_kept and not changes["note"].yours_kept
    again = form_data(page, form_id="value-form")
    # The user's entries are kept, the colleague's note taken in, the newer version carried.
    assert (again["value"], again["evidence_text"], again["note"], again["version"]) == ("97", "旗统计局", "统计年鉴",
                                                                                         "2")
    value.refresh_from_db()
    assert (value.value, value.note, value.evidence_text, value.version) == (Decimal("96"), "统计年鉴", "", 2)
    again.pop("csrfmiddlewaretoken", None)
    assert client.post(url, again).status_code == 302
    value.refresh_from_db()
    assert (value.value, value.note, value.evidence_text, value.version) == (Decimal("97"), "统计年鉴", "旗统计局", 3)


def test_indicator_page_a_new_year_entered_by_someone_else_first(plan, indicator, staff, colleague):
    client = browser(staff)
    url = _indicator_page(plan, indicator, 2023)
    opened = form_data(client.get(url).content.decode(), form_id="value-form")
    assert opened.get("version", "") == "" and opened["opened_year"] == "2023"
    indicator_value_set(indicator=indicator, year=2023, value="98", note="先录入", user=colleague)
    opened.pop("csrfmiddlewaretoken", None)
    response = client.post(url, {**opened, "value": "99"})
    assert response.status_code == 409 and "98.0000" in response.content.decode()
    assert IndicatorValue.objects.get(indicator=indicator, year=2023).value == Decimal("98")
    again = form_data(response.content.decode(), form_id="value-form")
    assert (again["value"], again["note"], again["version"]) == ("99", "先录入", "1")
    again.pop("csrfmiddlewaretoken", None)
    assert client.post(url, again).status_code == 302
    assert IndicatorValue.objects.get(indicator=indicator, year=2023).value == Decimal("99")


def test_indicator_page_another_year_chosen_than_opened(plan, indicator, value, staff):
    """The version belongs to the year the form was opened at: for another year, the user has seen none."""
    indicator_value_set(indicator=indicator, year=2021, value="90", user=SYSTEM)
    client = browser(staff)
    url = _indicator_page(plan, indicator, 2022)
    opened = form_data(client.get(url).content.decode(), form_id="value-form")
    opened.pop("csrfmiddlewaretoken", None)
    response = client.post(url, {**opened, "year": "2021", "value": "91"})
    assert response.status_code == 409
    assert IndicatorValue.objects.get(indicator=indicator, year=2021).value == Decimal("90")
    again = form_data(response.content.decode(), form_id="value-form")
    assert (again["year"], again["opened_year"], again["value"]) == ("2021", "2021", "91")
    again.pop("csrfmiddlewaretoken", None)
    assert client.post(url, again).status_code == 302
    assert IndicatorValue.objects.get(indicator=indicator, year=2021).value == Decimal("91")
    assert IndicatorValue.objects.get(indicator=indicator, year=2022).value == Decimal("95")


def test_indicator_value_admin(indicator, value, staff, colleague):
    client = browser(staff)
    url = change_url(value)
    opened = admin_form(client, url, IndicatorValue)
    assert opened["opened_version"] == "1"
    indicator_value_set(indicator=indicator, year=2022, value="96", note="统计公报", user=colleague,
                        expected_version=1)
    opened.update(value="97", evidence_text="旗统计局")
    response = client.post(url, opened)
    page = response.content.decode()
    assert response.status_code == 200 and STALE in page and "95.0000 → 96.0000" in page
    value.refresh_from_db()
    assert (value.value, value.evidence_text, value.version) == (Decimal("96"), "", 2)
    again = admin_form_from(page, IndicatorValue)
    assert (again["value"], again["opened_version"]) == ("97", "2")
    assert client.post(url, again).status_code == 302
    value.refresh_from_db()
    assert (value.value, value.evidence_text, value.version) == (Decimal("97"), "旗统计局", 3)


def test_indicator_value_admin_add_where_someone_was_first(indicator, staff, colleague):
    """Adding a value for a year someone else entered meanwhile does not overwrite theirs: it is corrected instead."""
    client = browser(staff)
    url = reverse("admin:indicators_indicatorvalue_add")
    opened = admin_form(client, url, IndicatorValue)
    indicator_value_set(indicator=indicator, year=2024, value="80", user=colleague)
    opened.update(indicator=str(indicator.pk), year="2024", value="81")
    response = client.post(url, opened)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    entry = IndicatorValue.objects.get(indicator=indicator, year=2024)
    assert (entry.value, entry.version) == (Decimal("80"), 1)


# --- implementing units ----------------------------------------------------------------------------------

def test_implementing_unit_service(unit, staff, colleague):
    opened = unit.version
    unit_update(unit=unit, name="科右中旗农牧局", user=colleague, expected_version=opened)
    with pytest.raises(StaleEdit) as refused:
        unit_update(unit=unit, name="旗农牧和科技局", user=staff, expected_version=opened)
    assert (refused.value.current.name, refused.value.current.version) == ("科右中旗农牧局", 2)
    unit.refresh_from_db()
    assert (unit.name, unit.version) == ("科右中旗农牧局", 2)
    assert unit_update(unit=unit, name="旗农牧和科技局", user=staff, expected_version=2).version == 3
    # Its spellings are part of it: each change of one is checked against, and bumps, the unit's version.
    alias = unit_add_alias(unit=unit, spelling="农牧科技局", user=colleague, expected_version=3)
    assert alias.unit.version == 4
    with pytest.raises(StaleEdit):
        unit_add_alias(unit=unit, spelling="畜牧兽医局", user=staff, expected_version=3)
    with pytest.raises(StaleEdit):
        alias_update(alias=alias, spelling="农牧科技服务中心", user=staff, expected_version=3)
    with pytest.raises(StaleEdit):
        alias_delete(alias=alias, user=staff, expected_version=3)
    assert UnitAlias.objects.get(pk=alias.pk).spelling == "农牧科技局"
    assert not UnitAlias.objects.filter(spelling="畜牧兽医局").exists()
    assert alias_update(alias=alias, spelling="农牧科技服务中心", user=staff, expected_version=4).unit.version == 5
    assert alias_delete(alias=alias, user=staff, expected_version=5).version == 6
    # Writes that are not a form's (a spelling learnt elsewhere, a merge) bump it too.
    unit_for_spelling(plan=unit.plan, spelling="旗农牧和科技局 ", user=SYSTEM)  # known spelling: no change
    assert ImplementingUnit.objects.get(pk=unit.pk).version == 6
    other = unit_create(plan=unit.plan, name="旗教育局", user=SYSTEM)
    unit_merge(keep=unit, merge=other, user=SYSTEM)
    assert ImplementingUnit.objects.get(pk=unit.pk).version == 7


def test_implementing_unit_admin(unit, staff, colleague):
    client = browser(staff)
    url = change_url(unit)
    opened = admin_form(client, url, ImplementingUnit)
    assert opened["opened_version"] == "1"
    unit_update(unit=ImplementingUnit.objects.get(pk=unit.pk), name="科右中旗农牧局", user=colleague,
                expected_version=1)
    response = client.post(url, {**opened, "name": "旗农牧和科技局"})
    assert response.status_code == 200 and STALE in response.content.decode()
    unit.refresh_from_db()
    assert (unit.name, unit.version) == ("科右中旗农牧局", 2)
    again = admin_form_from(response.content.decode(), ImplementingUnit)
    assert (again["name"], again["opened_version"]) == ("旗农牧和科技局", "2")
    assert client.post(url, again).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.version) == ("旗农牧和科技局", 3)


def test_implementing_unit_admin_spellings_inline(unit, staff, colleague):
    """A spelling changed in the unit's form while someone else changed the unit: refused, then saved."""
    client = browser(staff)
    url = change_url(unit)
    opened = admin_form(client, url, ImplementingUnit)
    unit_add_alias(unit=unit, spelling="农业技术推广中心", user=colleague, expected_version=1)
    response = client.post(url, {**opened, "aliases-0-spelling": "科右中旗农业科技局"})
    assert response.status_code == 200 and STALE in response.content.decode()
    assert set(UnitAlias.objects.filter(unit=unit).values_list("spelling", flat=True)) == {"旗农科局", "农业技术推广中心"}
    again = admin_form_from(response.content.decode(), ImplementingUnit)
    assert again["opened_version"] == "2" and again["aliases-0-spelling"] == "科右中旗农业科技局"
    # The form shown again still has the rows it was opened with: the new spelling is added by the colleague.
    assert client.post(url, again).status_code == 302
    unit.refresh_from_db()
    assert unit.version == 3
    assert set(UnitAlias.objects.filter(unit=unit).values_list("spelling", flat=True)) == {
        "科右中旗农业科技局", "农业技术推广中心"}
    # One save renaming the unit and adding a spelling: each write goes on from the version the last one gave.
    fresh = admin_form(client, url, ImplementingUnit)
    fresh.update({"name": "旗农业科技局", "aliases-TOTAL_FORMS": str(int(fresh["aliases-TOTAL_FORMS"]) + 1),
                  f"aliases-{fresh['aliases-TOTAL_FORMS']}-spelling": "农业科技推广站",
                  f"aliases-{fresh['aliases-TOTAL_FORMS']}-unit": str(unit.pk)})
    assert client.post(url, fresh).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.version) == ("旗农业科技局", 5)
    assert "农业科技推广站" in set(UnitAlias.objects.filter(unit=unit).values_list("spelling", flat=True))
