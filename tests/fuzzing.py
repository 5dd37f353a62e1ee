"""What the fuzz tests share: a plan with one record of every kind, and a database that refuses what PostgreSQL does.

`fuzz_world(tmp_path)` builds plan A (one project with a unit, a township and a budget,
a comment, a stated figure, a key project, an indicator with a value and a derived
value, computed totals and disagreements, a submitted year, an import batch) and plan B
beside it, and returns the records and the users: the plan's staff and a superuser.

`api_schema()` is the OpenAPI schema /api/schema/ serves, and `api_path_parameters(path, w)`
fills an operation's path: the plan's code, and for {id} a record its viewset lists.

`site_routes(w)` walks every URL pattern of the site and fills its path from the world's records.

`refusing_what_postgresql_refuses()` makes SQLite behave as PostgreSQL does with a text
parameter holding a NUL byte (psycopg refuses it: DataError, a 500). Without it a fuzz
test on SQLite would pass what fails in production; with it, both databases fail alike.
"""

import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from figures.services import key_project_create, stated_figure_create
from funding.services import disbursement_create
from importers.batches import batch_create
from indicators.models import DerivedValue
from indicators.services import indicator_create, indicator_value_set
from plans.access import SYSTEM
from plans.models import PlanYear
from reviews.models import PlanEvent
from projects.comments import comment_create
from projects.services import banner_of, place_create, unit_for_spelling, village_list_apply
from reviews.services import year_submit
from rollups.services import recompute_plan
from tests.conftest import member
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory, UserFactory


def fuzz_world(tmp_path) -> dict:
    plan, other = PlanFactory(), PlanFactory(county="科右前旗", name="B 规划")
    staff = member(plan, "staff")
    superuser = UserFactory(is_superuser=True, is_staff=True)
    unit, _ = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    town = place_create(plan=plan, kind="township", name="巴彦呼舒镇", parent=banner_of(plan), user=SYSTEM)
    project = ProjectFactory(plan=plan, unit=unit, township=town)
    budget = BudgetFactory(project=project, plan_year=PlanYear.objects.get(plan=plan, year=2022))
    BudgetFactory(project=ProjectFactory(plan=plan, location_text="白音套海嘎查"),  # a village spelled by a variant
                  plan_year=PlanYear.objects.get(plan=plan, year=2021))
    BudgetFactory(project=ProjectFactory(plan=other))
    disbursement_create(budget=budget, user=SYSTEM, paid_on=date(2022, 6, 30), voucher_no="记-0042",
                        beijing_amount=Decimal("1.5"), local_amount=Decimal("0"))
    # The banner's village list, loaded twice (a rename), with a spelling matched by the variant rules (an alias).
    for name in ("巴音套海嘎查", "巴彦套海嘎查"):
        village_list_apply(county=plan.county, data=f"township,village,code\n巴彦呼舒镇,{name},152222100201\n".encode(),
                           file_name="villages.csv", user=SYSTEM)
    comment = comment_create(project=project, user=staff, body="意见")
    figure = stated_figure_create(plan=plan, user=SYSTEM, metric="projects", value=Decimal("3"), year=2022,
                                  source="测试")
    key_project_create(plan=plan, user=SYSTEM, column=2, title="专栏2", first_year=2022, last_year=2022,
                       name="重点项目", source="测试")
    indicator = indicator_create(plan=plan, user=SYSTEM, seq=1, name="脱贫人口", unit="万人", target=Decimal("1"),
                                 target_year=2025, attribute="binding")
    value = indicator_value_set(indicator=indicator, year=2022, value="0.5", user=SYSTEM,
                                evidence_file=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test"))
    recompute_plan(plan.pk)
    DerivedValue.objects.create(indicator=indicator, year=2022, value=1, rule="test", computed_at=timezone.now())
    year_submit(plan_year=PlanYear.objects.get(plan=plan, year=2023), user=SYSTEM)
    # A plan closed once and opened again by reopening a year (the events stay; the plan is open).
    PlanEvent.objects.create(plan=plan, action="close", user_name="system")
    PlanEvent.objects.create(plan=plan, action="reopen", year=2022, reason="更正", user_name="system")
    annex = tmp_path / "附表.csv"
    annex.write_text("项目名称,实施年度,项目类别,项目总投资,京蒙资金,地方自筹资金\n", encoding="utf-8")
    with open(annex, "rb") as handle:
        batch = batch_create(plan=plan, uploads=[("附表.csv", handle)], user=SYSTEM)
    return {"plan": plan, "other": other, "staff": staff, "superuser": superuser, "project": project,
            "budget": budget, "comment": comment, "figure": figure, "indicator": indicator, "value": value,
            "unit": unit, "township": town, "batch": batch}


def _values(params):
    if isinstance(params, dict):
        params = params.values()
    for value in params or ():
        if isinstance(value, (list, tuple, dict)):
            yield from _values(value)
        else:
            yield value


def _refuse_nul(execute, sql, params, many, context):
    for value in _values(params):
        if isinstance(value, str) and "\x00" in value:
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return execute(sql, params, many, context)


@contextmanager
def refusing_what_postgresql_refuses():
    """Every query of this connection (the test client's requests run on it) refuses NUL bytes, as psycopg does."""
    with connection.execute_wrapper(_refuse_nul):
        yield


@cache
def api_schema() -> dict:
    """The OpenAPI schema of the API, from drf-spectacular's generator (what /api/schema/ serves), as JSON data."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def api_path_parameters(path: str, w) -> dict:
    """{code: the plan's code, id: the first record the operation's viewset lists for the plan's staff}."""
    parameters = {"code": w["plan"].code}
    if "{id}" in path:
        viewset = resolve(path.format(code=w["plan"].code, id=1)).func.cls
        view = viewset(request=SimpleNamespace(user=w["staff"], query_params={}), kwargs=dict(parameters),
                       action="retrieve", format_kwarg=None)
        record = view.get_queryset().order_by("pk").first()
        assert record is not None, f"{path}: the fuzz world has no record for it (tests/fuzzing.py)"
        parameters["id"] = record.pk
    return parameters


# The record a path parameter names, by the literal segment before it.
PATH_RECORDS = {
    "projects": lambda w: w["project"].pk,
    "budgets": lambda w: w["budget"].pk,
    "indicators": lambda w: w["indicator"].pk,
    "values": lambda w: w["value"].pk,
    "reviews": lambda w: 2022,
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _page_url(route: str, pattern: URLPattern, w) -> str:
    kwargs, parts = {}, route.strip("/").split("/")
    for i, part in enumerate(parts):
        if not part.startswith("<"):
            continue
        name = part.strip("<>").split(":")[-1]
        if name == "code":
            kwargs[name] = w["plan"].code
        elif name == "action":
            kwargs[name] = "submit"
        else:
            segment = next(p for p in reversed(parts[:i]) if not p.startswith("<"))
            assert segment in PATH_RECORDS, f"{route}: which record is <{name}> after {segment}/? (PATH_RECORDS)"
            kwargs[name] = PATH_RECORDS[segment](w)
    return reverse(pattern.name, kwargs=kwargs) if pattern.name else "/" + route


def site_routes(w, *, skip_names=frozenset()):
    """(route, pattern, url) for every URL pattern of the site outside the admin (whose URLs are its
    changelists') and those named in `skip_names`, its path parameters filled from the world."""
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or pattern.name in skip_names:
            continue
        yield route, pattern, _page_url(route, pattern, w)
