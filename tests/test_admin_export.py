"""The admin's budget export is the flat export: same columns, same values, formula-safe in every format."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
import tablib
import yaml
from django.contrib import admin
from django.urls import reverse

from funding.export import FLAT_AMOUNT_COLUMNS, FLAT_HEADERS, flat_export_csv, flat_export_rows
from funding.models import AnnualBudget
from planportal.lib.numbers import parse_amount
from planportal.lib.safe_cells import FORMULA_TRIGGERS, safe_text, unescape_text, xlsx_text
from tests.conftest import member
from tests.factories import BudgetFactory, ProjectFactory

FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-1", "\t=1", "＝1"]
EXPORT_URL = "admin:funding_annualbudget_export"
FIELD_PREFIX = "annualbudgetresource_"
TRIGGERS = tuple(FORMULA_TRIGGERS)  # = + - @ tab CR and their full-width forms


@pytest.fixture
def formula_plan(plan):
    for index, name in enumerate(FORMULA_NAMES, start=1):
        project = ProjectFactory(plan=plan, name=name, location_text="=1+1")
        BudgetFactory(project=project, serial_no=str(index), scale_and_content="-5吨", beijing_funds_use="@x",
                      total_investment=Decimal("1068.15"), beijing_funds=Decimal("900"),
                      local_funds=Decimal("168.15"), actual_beijing_funds=Decimal("0.0001"))
    # A control character XML cannot hold, in front of a formula: cleaned first, then quoted.
    BudgetFactory(project=ProjectFactory(plan=plan, name="普通项目"), scale_and_content="\x01=2+2")
    return plan


def _form(admin_client):
    page = admin_client.get(reverse(EXPORT_URL))
    assert page.status_code == 200, page.content[:2000]
    return page.context["form"]


def _format_index(form, title: str) -> str:
    return next(value for value, label in form.fields["format"].choices if label == title)


def _export(admin_client, title: str, fields=None) -> bytes:
    """POST the admin's export form as its page would: one format, the resource, the ticked columns."""
    form = _form(admin_client)
    checkboxes = [name for name in form.fields if name.startswith(FIELD_PREFIX)]
    ticked = checkboxes if fields is None else [FIELD_PREFIX + name for name in fields]
    data = {"format": _format_index(form, title), "resource": "0", **{name: "on" for name in ticked}}
    response = admin_client.post(reverse(EXPORT_URL), data)
    assert response.status_code == 200
    assert "attachment" in response.get("Content-Disposition", ""), response.content[:2000]
    return response.content


def _csv_rows(content: bytes | str, delimiter: str = ",") -> list[list[str]]:
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))


def _admin_queryset(rf, admin_user):
    """The queryset the admin exports when nothing is filtered (the changelist's, with its ordering)."""
    request = rf.get(reverse(EXPORT_URL))
    request.user = admin_user
    return admin.site._registry[AnnualBudget].get_export_queryset(request)


def _flat_csv(queryset) -> list[list[str]]:
    stream = io.StringIO()
    flat_export_csv(queryset=queryset, out_text_stream=stream)
    return _csv_rows(stream.getvalue())


def _assert_no_trigger(rows):
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(TRIGGERS)), (cell, row)


@pytest.mark.django_db
def test_the_form_offers_one_checkbox_per_flat_column(admin_client, formula_plan):
    form = _form(admin_client)
    labels = [field.label for name, field in form.fields.items() if name.startswith(FIELD_PREFIX)]
    assert [label.rsplit("(", 1)[1].rstrip(")") for label in labels] == list(FLAT_HEADERS)


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_are_the_flat_csv_and_start_no_formula(admin_client, rf, admin_user, formula_plan,
                                                          title, delimiter):
    rows = _csv_rows(_export(admin_client, title), delimiter)
    assert rows[0] == list(FLAT_HEADERS)
    assert len(rows) == 1 + AnnualBudget.objects.count()
    _assert_no_trigger(rows)
    assert rows == _flat_csv(_admin_queryset(rf, admin_user))
    names = [row[3] for row in rows[1:]]
    assert sorted(unescape_text(name) for name in names) == sorted([*FORMULA_NAMES, "普通项目"])
    # Amounts are the Decimals' own digits.
    formula_rows = [row for row in rows[1:] if row[3] != "普通项目"]
    assert {(Decimal(row[8]), Decimal(row[10]), Decimal(row[11])) for row in formula_rows} == {
        (Decimal("1068.15"), Decimal("168.15"), Decimal("0.0001"))}


@pytest.mark.django_db
def test_xlsx_has_no_formula_cell_and_the_flat_values(admin_client, rf, admin_user, formula_plan):
    book = openpyxl.load_workbook(io.BytesIO(_export(admin_client, "xlsx")))
    sheet = book.active
    cells = list(sheet.iter_rows())
    assert [cell.value for cell in cells[0]] == list(FLAT_HEADERS)
    assert not [cell.coordinate for row in cells for cell in row if cell.data_type == "f"]
    values = [[cell.value for cell in row] for row in cells[1:]]
    _assert_no_trigger(values)
    expected = list(flat_export_rows(_admin_queryset(rf, admin_user)))
    assert len(values) == len(expected)
    for got, want in zip(values, expected):
        for index, (cell, value) in enumerate(zip(got, want)):
            if isinstance(value, str):
                assert cell == (safe_text(xlsx_text(value)) or None), (index, cell, value)
            elif index in FLAT_AMOUNT_COLUMNS and value is not None:
                assert parse_amount(cell) == value, (index, cell, value)
            else:
                assert cell == value, (index, cell, value)
    assert {cell for row in values for cell in row if isinstance(cell, str) and "2+2" in cell} == {"'=2+2"}


@pytest.mark.django_db
def test_every_offered_format_exports_safe_text(admin_client, formula_plan):
    form = _form(admin_client)
    titles = [label for value, label in form.fields["format"].choices if value != ""]
    assert {"csv", "xlsx", "tsv"} <= set(titles)
    for title in titles:
        content = _export(admin_client, title)
        if title == "json":
            rows = [list(item.values()) for item in json.loads(content)]
        elif title == "yaml":
            rows = [list(item.values()) for item in yaml.safe_load(content)]
        elif title == "html":
            text = content.decode()
            rows = []
            for trigger in TRIGGERS:
                assert f"<td>{trigger}" not in text, title
        else:
            dataset = tablib.import_set(content if title in ("xlsx", "ods", "xls") else content.decode(), format=title)
            assert list(dataset.headers) == list(FLAT_HEADERS), title
            rows = list(dataset)
        assert len(rows) in (0, AnnualBudget.objects.count()), title
        _assert_no_trigger(rows)


@pytest.mark.django_db
def test_a_subset_of_columns_is_exported_in_flat_order(admin_client, rf, admin_user, formula_plan):
    rows = _csv_rows(_export(admin_client, "csv", fields=["beijing_funds", "project", "plan"]))
    assert rows[0] == ["计划代码", "项目名称", "京蒙资金"]
    full = _flat_csv(_admin_queryset(rf, admin_user))
    assert rows[1:] == [[row[0], row[3], row[9]] for row in full[1:]]


@pytest.mark.django_db
def test_project_list_export_and_admin_export_give_the_same_rows(client, admin_client, formula_plan):
    client.force_login(member(formula_plan, "staff"))
    page = client.get(f"/plans/{formula_plan.code}/projects/", {"format": "csv"})
    assert page.status_code == 200
    listed = _csv_rows(page.content)
    exported = _csv_rows(_export(admin_client, "csv"))
    assert listed[0] == exported[0] == list(FLAT_HEADERS)
    # Same rows; the admin keeps its changelist's sort, the project list sorts in annex order.
    assert sorted(listed[1:]) == sorted(exported[1:])
    assert len(listed) == 1 + len(FORMULA_NAMES) + 1
