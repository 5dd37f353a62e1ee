"""No query parameter of any page, admin list or API list answers 500: a hostile value is a 4xx or a clean page.

Everything is enumerated from the code, so a new page, filter or admin model is fuzzed
without being listed here:

* pages: every URL pattern of the site outside the admin and the API's router (its
  schema and documentation pages are pages) that answers GET,
  its path parameters filled from the world's records (the literal segment before a
  parameter names the record: ``projects/<pk>`` is the project); the parameters of a page
  are those its view reads, recorded on a first request (the project list: each of its
  filters, ``sort``, ``page`` and ``format``);
* admin: every model of ``admin.site._registry``; the parameters of its changelist are
  those its filter specs expect (``ChangeList.filter_specs``), ``q``, ``o``, ``p``,
  ``e``, ``all``, ``_popup``, ``_facets``, ``_to_field`` and ``<field>__exact`` for
  each of the model's fields;
* API: every query parameter of every GET operation of the OpenAPI schema (the lists'
  filters, ``ordering``, ``limit`` and ``offset``); generated requests of every
  operation, with bodies: tests/api/test_schema_fuzz.py.

Each value of VALUES goes on one parameter alone, so no other parameter can hide the
answer. Plan staff and a superuser take turns: each tries every parameter, one with
the even-numbered values and the other with the odd ones, who starts alternating from
one parameter to the next (a site model, which only superusers see, gets every value
from the superuser). On SQLite the database refuses
NUL bytes as PostgreSQL does (tests.fuzzing), so the test means the same on both.

A request costs 30–100 ms here, and the admin has some 500 parameters, so the admin's
are fuzzed by the code that reads them: parameters read by the same code on the same
kind of field (every admin's `plan` PlanFilter, every ChoicesFieldListFilter on a
CharField, every `<field>__exact` of an IntegerField, every search over the same kinds
of fields, Django's own `o`, `p` and flags) are one partition, which one of them stands
for with every value. A filter class, a field class or a search of its own is a new
partition, so it is fuzzed as soon as it exists.
"""

from collections import defaultdict
from typing import ClassVar

import pytest
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core.handlers import wsgi
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from api.urls import router
from funding.filters import ProjectListFilterSet
from tests.fuzzing import api_path_parameters, api_schema, fuzz_world, refusing_what_postgresql_refuses, site_routes

VALUES = {
    "NUL": "\x00",
    "NUL after digits": "1\x00",
    "beyond BIGINT": "99999999999999999999",
    "negative": "-1",
    "huge negative": "-99999999999999999999",
    "decimal": "1.5",
    "list": "[1, 2]",
    "unknown": "未知-unknown",
    "long text": "长" * 3000,
    "long digits": "9" * 5000,  # more digits than int() reads (4300)
    "superscript digit": "²",  # a digit to str.isdigit(), not to int()
    "Arabic-Indic digits": "١٢",  # int() reads 12
    "SQL": "1' OR '1'='1'; DROP TABLE projects_project; --",
    "impossible date": "2021-02-30",
}
USERS = ("staff", "superuser")
# Django's changelist parameters: each read by the same code in every admin.
ADMIN_SHARED = (ORDER_VAR, PAGE_VAR, TO_FIELD_VAR, ERROR_FLAG, ALL_VAR, IS_POPUP_VAR, IS_FACETS_VAR)


@pytest.fixture
def world(db, tmp_path, monkeypatch):
    w = fuzz_world(tmp_path)
    w["clients"] = {}
    for who in USERS:
        client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        client.force_login(w[who])
        w["clients"][who] = client
    # The admin's navigation sidebar lists every model on every page: nothing a parameter changes.
    monkeypatch.setattr(admin.site, "enable_nav_sidebar", False)
    with refusing_what_postgresql_refuses():
        yield w


class _Fuzzer:
    """Sends every value on one parameter alone, the users taking turns (who starts alternates from one parameter
    to the next, so each user tries every value somewhere); keeps the requests answered with a server error."""

    def __init__(self, w):
        self.w, self.requests, self.failures, self.turn = w, defaultdict(int), [], 0

    def fuzz(self, url: str, parameter: str, users=USERS) -> None:
        for index, (value_name, value) in enumerate(VALUES.items()):
            who = users[(index + self.turn) % len(users)]
            response = self.w["clients"][who].get(url, {parameter: value})
            self.requests[who] += 1
            if response.status_code >= 500:
                self.failures.append(f"{who}: {url}?{parameter}=<{value_name}>: {response.status_code}")
        self.turn += 1

    def report(self, what: str) -> None:
        by_user = ", ".join(f"{who} {n}" for who, n in sorted(self.requests.items()))
        print(f"{what} × {len(VALUES)} values: {sum(self.requests.values())} requests ({by_user})")
        assert not self.failures, "\n".join(self.failures)


# --- pages ---------------------------------------------------------------------------------------

class _ReadRecorder(QueryDict):
    """request.GET that notes each key the view asks for."""

    read: ClassVar[set[str]] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def _reads(client, url, monkeypatch) -> set[str]:
    """The GET parameters the view of `url` reads (on a request with one parameter, so that GET is not empty)."""
    _ReadRecorder.read = set()
    with monkeypatch.context() as patch:
        patch.setattr(wsgi, "QueryDict", _ReadRecorder)
        client.get(url, {"fuzz-probe": "1"})
    return _ReadRecorder.read - {"fuzz-probe"}


def test_every_parameter_of_every_page(world, monkeypatch):
    fuzzer, fuzzed = _Fuzzer(world), {}
    routed = {url.name for url in router.urls}  # the API's records: tests/api/test_schema_fuzz.py
    for _route, _pattern, url in site_routes(world, skip_names=routed):
        if world["clients"]["staff"].get(url).status_code == 405:
            continue  # a form's target (POST only): its fields are the forms' to check
        fuzzed[url] = sorted(set().union(*(_reads(world["clients"][who], url, monkeypatch) for who in USERS)))
        for parameter in fuzzed[url]:
            fuzzer.fuzz(url, parameter)
    project_list = reverse("plan-projects", kwargs={"code": world["plan"].code})
    assert set(ProjectListFilterSet.base_filters) | {"page", "format"} <= set(fuzzed[project_list])
    assert len(fuzzed) >= 15
    fuzzer.report(f"pages: {len(fuzzed)} pages answering GET, {sum(map(len, fuzzed.values()))} parameters")


# --- admin ---------------------------------------------------------------------------------------

def _field_class(model, path: str) -> str:
    return type(get_fields_from_path(model, path)[-1]).__name__


def _admin_partitions(superuser):
    """{partition: [(model, parameter), …]} over every changelist parameter of every admin model."""
    partitions = defaultdict(list)
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/")
        request.user = superuser
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            for name in spec.expected_parameters():
                if isinstance(spec, admin.SimpleListFilter):
                    code = (type(spec).lookups.__qualname__, type(spec).queryset.__qualname__, name)
                else:
                    code = (type(spec).__qualname__, type(spec.field).__name__, name[len(spec.field_path):])
                partitions[("list filter", *code)].append((model, name))
        searched = sorted({_field_class(model, path.lstrip("^=@")) for path in model_admin.search_fields})
        if searched:
            partitions[("search", type(model_admin).get_search_results.__qualname__, *searched)].append(
                (model, SEARCH_VAR))
        for name in ADMIN_SHARED:
            partitions[(name,)].append((model, name))
        for field in model._meta.concrete_fields:
            partitions[("exact", type(field).__name__)].append((model, f"{field.name}__exact"))
    return partitions


def test_every_parameter_of_every_admin_changelist(world):
    fuzzer = _Fuzzer(world)
    partitions = _admin_partitions(world["superuser"])
    urls, may_list = {}, {}
    for model in admin.site._registry:
        urls[model] = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        may_list[model] = [who for who in USERS if world["clients"][who].get(urls[model]).status_code == 200]
        assert "superuser" in may_list[model], f"{model._meta.label}: the superuser cannot list it"
    for members in partitions.values():
        # The partition's first parameter of a model staff may list, so that both users take turns on it.
        model, parameter = next(((m, p) for m, p in members if len(may_list[m]) == len(USERS)), members[0])
        fuzzer.fuzz(urls[model], parameter, may_list[model])
    parameters = sum(map(len, partitions.values()))
    assert len(partitions) >= 40 and parameters >= 300
    fuzzer.report(f"admin: {len(urls)} changelists, {parameters} parameters in {len(partitions)} partitions")


# --- API ------------------------------------------------------------------------------------------

def test_every_query_parameter_of_every_api_read(world):
    """The query parameters of every GET operation of the schema (the lists' filters, ordering, limit, offset)."""
    fuzzer, reads, lists = _Fuzzer(world), 0, 0
    for path, operations in api_schema()["paths"].items():
        if "get" not in operations:
            continue
        url = path.format(**api_path_parameters(path, world))
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        reads += len(names)
        lists += "limit" in names and "offset" in names
        for parameter in names:
            fuzzer.fuzz(url, parameter)
    assert lists >= 7
    fuzzer.report(f"api: {len(api_schema()['paths'])} paths, {reads} query parameters of their GET")


# --- the cases, with the answer each now gets ------------------------------------------

@pytest.mark.parametrize("path, query, field, message", [
    ("projects", {"unit": "\x00"}, "unit", "This plan has no implementing unit"),
    ("projects", {"township": "\x00"}, "township", "This plan has no township"),
    ("stated-figures", {"metric": "\x00"}, "metric", "This value contains a NUL character (\\0)"),
    ("budgets", {"year": "99999999999999999999"}, "year", "Enter a whole number of at most 18 digits."),
    ("projects", {"limit": "99999999999999999999"}, "limit", "Enter a whole number from 1 to 1000."),
    ("projects", {"limit": "0"}, "limit", "Enter a whole number from 1 to 1000."),
    ("projects", {"offset": "-1"}, "offset", "Enter a whole number of at most 18 digits."),
])
def test_a_bad_api_parameter_is_a_400_naming_it(world, path, query, field, message):
    response = world["clients"]["staff"].get(f"/api/plans/{world['plan'].code}/{path}/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field] and message in response.json()[field][0]


def test_the_largest_page_is_served_and_documented(world):
    client = world["clients"]["staff"]
    body = client.get(f"/api/plans/{world['plan'].code}/projects/", {"limit": "1000", "offset": "1"}).json()
    assert body["count"] == 2 and len(body["results"]) == 1
    limit = next(p for p in api_schema()["paths"]["/api/plans/{code}/projects/"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}


def test_an_admin_lookup_no_row_can_match_is_left_out_with_a_message(world):
    client = world["clients"]["superuser"]
    url = reverse("admin:projects_project_changelist")
    response = client.get(url, {"nature__exact": "\x00", "status": "planned"})
    assert response.status_code == 302 and response["Location"] == f"{url}?status=planned"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "The filter “nature__exact” was left out: “\\0” is not a value of its field." in page.content.decode()
    answer = client.get(reverse("admin:plans_planyear_changelist"), {"plan__exact": "99999999999999999999"})
    assert answer.status_code == 302
    assert client.get(url, {"plan": "abc"}).status_code == 200  # PlanFilter reads its own: no such plan, no rows
