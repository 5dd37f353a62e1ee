"""No file the product writes starts a formula: one scan over every export of every door.

A world whose every text a user can type starts a formula (a project name
``=HYPERLINK(…)``, a place ``+…``, a unit ``＝…``, a category with a leading tab, …) is
exported through each door, found from the code rather than listed by hand:

* pages: every URL of the site (tests.fuzzing.site_routes), plain and with
  ``?format=csv`` / ``?format=xlsx``; each answer that is a download is scanned;
* commands: every management command of the product's apps that writes a file (an
  option such as ``-o``/``--output``/``--xlsx``) is run with each format it writes; a new
  one fails here until it is scanned (CLI_EXPORTS) or excluded with a reason;
* admin: every ModelAdmin with django-import-export's export, in every format it offers;
* API: every operation renders JSON only (no csv or xlsx renderer), and ``?format=csv``
  is refused.

The scan: an xlsx holds no formula (no ``<f>`` element in any sheet, no formula cell);
in csv/tsv and in the cells of every other format no text starts with ``= + - @``, a tab
or a carriage return (or their full-width forms) — such text carries a leading "'".
Each scanned file must hold some of the world's formula-like text, so an empty file
cannot pass.
"""

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest
import tablib
import yaml
from django.contrib import admin
from django.core.management import call_command, get_commands, load_command_class
from django.test import Client
from django.urls import resolve, reverse
from import_export.admin import ExportMixin

from api.urls import router
from figures.models import StatedFigure
from funding.models import AnnualBudget
from planportal.lib.safe_cells import FORMULA_TRIGGERS, QUOTE
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place, Project
from rollups.services import recompute_plan
from tests.fuzzing import fuzz_world, site_routes

TRIGGERS = tuple(FORMULA_TRIGGERS)
PRODUCT_APPS = {"plans", "projects", "funding", "figures", "indicators", "importers", "rollups", "reviews", "api",
                "portal", "evaluation", "succession", "portfolio"}
# Commands that write files, and the arguments that make each kind of file ({out} is a path in tmp_path).
CLI_EXPORTS = {
    "export_annex": [["-o", "{out}.xlsx"], ["-o", "{out}.xlsx", "--flat"], ["-o", "{out}.csv", "--flat"]],
    "evaluation": [["--xlsx", "{out}.xlsx"]],  # its --docx is a Word report: no cell can hold a formula
}
# Commands whose file is not a spreadsheet anyone opens in Excel, with the reason.
CLI_NOT_SPREADSHEETS = {
    "backup": "a zip of JSON lines and the uploaded files, read back only by `restore`",
}
FILE_OPTIONS = {"-o", "--output", "--xlsx", "--csv", "--docx", "--file"}
# Pages that hand back a file a user uploaded, byte for byte (it is theirs, not an export).
UPLOADED_FILES = {"plan-indicator-evidence"}
# What the API may answer with: JSON, the browsable API's HTML, the OpenAPI schema.
API_MEDIA_TYPES = {"application/json", "text/html", "application/vnd.oai.openapi", "application/vnd.oai.openapi+json",
                   "application/yaml"}


@pytest.fixture
def world(db, tmp_path):
    w = fuzz_world(tmp_path)
    plan = w["plan"]
    Project.objects.filter(plan=plan).update(name='=HYPERLINK("http://x","项目")', location_text="+地点",
                                             description="-说明")
    AnnualBudget.objects.filter(project__plan=plan).update(scale_and_content="-5吨", beijing_funds_use="@用途")
    ImplementingUnit.objects.filter(plan=plan).update(name="＝单位")
    Place.objects.filter(plan=plan, kind="township").update(name="@镇")
    for category in Category.objects.filter(plan=plan):
        Category.objects.filter(pk=category.pk).update(name_zh=f"\t=分类{category.pk}")
    Plan.objects.filter(pk=plan.pk).update(name="-规划名称")  # the portfolio lists plans by name
    StatedFigure.objects.filter(plan=plan).update(source='=cmd|" /C calc"!A0')
    recompute_plan(plan.pk)  # the disagreements' sentences name the category
    return w


def _starts_formula(text) -> bool:
    return isinstance(text, str) and text.startswith(TRIGGERS)


def _carries_world_text(text) -> bool:
    """Formula-like text of the world, as written ("=…") or quoted ("'=…")."""
    return isinstance(text, str) and _starts_formula(text[1:] if text.startswith(QUOTE) else text)


def _scan_cells(cells, where: str) -> int:
    """Refuse any text cell that starts a formula; the number of the world's formula-like texts seen."""
    seen = 0
    for cell in cells:
        assert not _starts_formula(cell), f"{where}: a cell starts a formula: {cell!r}"
        seen += _carries_world_text(cell)
    return seen


def _xlsx_cells(data: bytes, where: str):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<(\w+:)?f[\s>/]", archive.read(name)), f"{where}: {name} holds a formula"
    for sheet in openpyxl.load_workbook(io.BytesIO(data)):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: {sheet.title}!{cell.coordinate} is a formula"
                if cell.data_type == "s":
                    yield from _typed_text(cell.value)


def _typed_text(value):
    """An xlsx string cell is text whatever it starts with: report it as safe, keep it for the world-text count."""
    yield QUOTE + value if _starts_formula(value) else value


def _csv_cells(data: bytes, delimiter: str = ","):
    text = data.decode("utf-8").lstrip("\ufeff")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield from row


def _scan(data: bytes, kind: str, where: str) -> None:
    if kind == "xlsx":
        cells = _xlsx_cells(data, where)
    elif kind in ("csv", "tsv"):
        cells = _csv_cells(data, "\t" if kind == "tsv" else ",")
    elif kind == "json":
        cells = (value for item in json.loads(data) for value in item.values())
    elif kind == "yaml":
        cells = (value for item in yaml.safe_load(data) for value in item.values())
    elif kind == "html":
        cells = (re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", data.decode(), re.S))
    elif kind == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert b"table:formula" not in archive.read("content.xml"), f"{where}: holds a formula"
        cells = (value for row in tablib.import_set(data, format="ods") for value in row)
    elif kind == "xls":
        cells = (value for row in tablib.import_set(data, format="xls") for value in row)
    else:
        raise AssertionError(f"{where}: no scanner for {kind!r} files: add one")
    assert _scan_cells(cells, where) > 0, f"{where}: none of the world's formula-like text is in the file"


def _kind_of(response) -> str:
    content_type = response["Content-Type"]
    if "spreadsheetml" in content_type:
        return "xlsx"
    if content_type.startswith("text/csv"):
        return "csv"
    raise AssertionError(f"{response.request['PATH_INFO']}: a download of type {content_type}: add a scanner")


@pytest.mark.django_db
def test_every_page_download_is_formula_safe(world):
    client = Client(raise_request_exception=True)
    client.force_login(world["staff"])
    api_names = {url.name for url in router.urls}
    downloads = set()
    for _route, pattern, url in site_routes(world, skip_names=api_names | UPLOADED_FILES):
        for query in ({}, {"format": "csv"}, {"format": "xlsx"}):
            response = client.get(url, query)
            if "attachment" not in response.get("Content-Disposition", ""):
                continue
            kind = _kind_of(response)
            _scan(b"".join(response.streaming_content) if response.streaming else response.content, kind,
                  f"{url} ({kind})")
            downloads.add((pattern.name, kind))
    assert {("plan-projects", "csv"), ("plan-projects", "xlsx"), ("plan-rollups", "xlsx"),
            ("plan-variances", "xlsx")} <= downloads, downloads


def _file_options(name: str, app: str) -> set[str]:
    parser = load_command_class(app, name).create_parser("manage.py", name)
    return {option for action in parser._actions for option in action.option_strings} & FILE_OPTIONS


@pytest.mark.django_db
def test_every_command_file_is_formula_safe(world, tmp_path):
    writers = {name for name, app in get_commands().items()
               if app.split(".")[0] in PRODUCT_APPS and _file_options(name, app)}
    unscanned = writers - set(CLI_EXPORTS) - set(CLI_NOT_SPREADSHEETS)
    assert not unscanned, f"commands that write files: scan them here (CLI_EXPORTS) or say why not: {unscanned}"
    for name, variants in CLI_EXPORTS.items():
        for index, arguments in enumerate(variants):
            out = str(tmp_path / f"{name}-{index}")
            arguments = [argument.format(out=out) for argument in arguments]
            call_command(name, "--plan", world["plan"].code, *arguments, stdout=io.StringIO())
            path = next(arguments[i + 1] for i, argument in enumerate(arguments) if argument in FILE_OPTIONS)
            with open(path, "rb") as handle:
                _scan(handle.read(), path.rsplit(".", 1)[1], f"{name} {' '.join(arguments)}")


@pytest.mark.django_db
def test_every_admin_export_in_every_format_is_formula_safe(world):
    client = Client()
    client.force_login(world["superuser"])
    exporting = [model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, ExportMixin)]
    assert AnnualBudget in exporting
    for model in exporting:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        form = client.get(url).context["form"]
        columns = {name: "on" for name in form.fields if "resource_" in name}  # every column ticked
        formats = [(value, label) for value, label in form.fields["format"].choices if value != ""]
        assert {"csv", "xlsx"} <= {label for _value, label in formats}
        for value, label in formats:
            response = client.post(url, {"format": value, "resource": "0", **columns})
            assert "attachment" in response.get("Content-Disposition", ""), (model, label, response.content[:500])
            _scan(response.content, label, f"admin {model._meta.label} export ({label})")


@pytest.mark.django_db
def test_the_api_answers_json_only(world):
    client = Client()
    client.force_login(world["staff"])
    for url in router.urls:
        view = url.callback.cls
        media_types = {renderer.media_type.split(";")[0] for renderer in view.renderer_classes}
        assert media_types <= API_MEDIA_TYPES, f"{url.name}: renders {media_types - API_MEDIA_TYPES}: scan it here"
    listing = f"/api/plans/{world['plan'].code}/projects/"
    assert resolve(listing).url_name in {url.name for url in router.urls}
    assert client.get(listing).status_code == 200
    for spreadsheet in ("csv", "xlsx"):
        assert client.get(listing, {"format": spreadsheet}).status_code == 404
