"""Every operation of /api/schema/, driven by schemathesis: generated query parameters and bodies never answer 500.

The operations are those of the OpenAPI schema the API serves (drf-spectacular's
generator, the same one /api/schema/ runs; a test checks the served one lists the
same). For each, schemathesis generates cases from the schema, both valid ones
(positive) and ones that break it (negative: wrong types, missing fields, values
out of range, bodies that are not JSON), with the path parameters fixed to the
test plan's code and to the id of a record the operation's own list holds. Each case
is sent through Django's test client, signed in as a staff member of the plan, inside
a savepoint that is rolled back, so every case sees the same world (a DELETE deletes
the record for that case only). The answer must be 2xx or 4xx.

Bounded: EXAMPLES cases per operation (half positive, half negative in expectation),
no deadline, derandomized, so a run is the same every time and takes some 30 s. On
SQLite the database refuses NUL bytes as PostgreSQL does (tests.fuzzing).
"""

from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzzing import api_path_parameters, api_schema, fuzz_world, refusing_what_postgresql_refuses

EXAMPLES = 30
SCHEMA = schemathesis.openapi.from_dict(api_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


@pytest.fixture
def world(db, tmp_path):
    w = fuzz_world(tmp_path)
    w["client"] = Client(HTTP_ACCEPT="application/json", raise_request_exception=False)
    w["client"].force_login(w["staff"])
    with refusing_what_postgresql_refuses():
        yield w


def _send(client, case):
    """The case as an HTTP request (serialized as schemathesis would send it), through Django's test client.

    The generated credentials (the schema's Authorization header and session cookie) are dropped: the
    client is signed in as the plan's staff member.
    """
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    prepared = requests.Request(method=kwargs["method"], url=kwargs["url"], params=kwargs.get("params"),
                                json=kwargs.get("json"), data=kwargs.get("data"), files=kwargs.get("files")).prepare()
    target = urlsplit(prepared.url)
    body = prepared.body or b""
    return client.generic(prepared.method, target.path, data=body.encode() if isinstance(body, str) else body,
                          content_type=prepared.headers.get("Content-Type", "application/octet-stream"),
                          QUERY_STRING=target.query)


def test_the_served_schema_has_the_operations_fuzzed(world):
    served = world["client"].get("/api/schema/", {"format": "json"}).json()
    methods = {"get", "post", "put", "patch", "delete"}
    operations = {(method, path) for path, item in served["paths"].items() for method in item if method in methods}
    assert operations == {(op.method, op.path) for op in OPERATIONS}
    assert len(operations) >= 20


@pytest.mark.parametrize("operation", OPERATIONS, ids=_label)
def test_no_generated_request_is_a_server_error(world, operation):
    fixed = api_path_parameters(operation.path, world)
    strategy = st.one_of(*(operation.as_strategy(mode, path_parameters=fixed, media_type="application/json")
                           for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))
    statuses = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        with transaction.atomic():
            response = _send(world["client"], case)
            transaction.set_rollback(True)
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{case.method.upper()} {case.formatted_path} query={case.query!r} body={case.body!r}: "
            f"{response.status_code}\n{response.content[:2000].decode(errors='replace')}")

    check()
    assert len(statuses) >= EXAMPLES // 2, f"{_label(operation)}: only {len(statuses)} cases generated"
