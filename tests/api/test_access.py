"""Who gets what, for every endpoint: anonymous 401, outsiders 404, liaison reads only, staff and admins write."""

from dataclasses import dataclass
from typing import Callable

import pytest

from rollups.services import recompute_plan


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: Callable  # records → path
    method: str  # the write tried
    body: Callable  # records → body
    written: int  # what staff and admins get for the write
    refused: int = 403  # what a liaison gets for the write

    def __str__(self):
        return self.name


ENDPOINTS = [
    Endpoint("plans", lambda r: "/api/plans/", "post", lambda r: {"code": "x"}, 405, refused=405),
    Endpoint("plan", lambda r: f"/api/plans/{r['code']}/", "patch", lambda r: {"name": "x"}, 405),
    Endpoint("projects", lambda r: f"/api/plans/{r['code']}/projects/", "post",
             lambda r: {"name": "新建项目", "category": "基础设施类"}, 201),
    Endpoint("project", lambda r: f"/api/plans/{r['code']}/projects/{r['project'].pk}/", "patch",
             lambda r: {"name": "改名的项目", "version": 1}, 200),
    Endpoint("project-delete", lambda r: f"/api/plans/{r['code']}/projects/{r['project'].pk}/", "delete",
             lambda r: None, 204),
    Endpoint("budgets", lambda r: f"/api/plans/{r['code']}/budgets/", "post",
             lambda r: {"project": r["project"].pk, "year": 2022, "beijing_funds": "10.5"}, 201),
    Endpoint("budget", lambda r: f"/api/plans/{r['code']}/budgets/{r['budget'].pk}/", "patch",
             lambda r: {"beijing_funds": "801.25", "version": 1}, 200),
    Endpoint("budget-delete", lambda r: f"/api/plans/{r['code']}/budgets/{r['budget'].pk}/", "delete",
             lambda r: None, 204),
    Endpoint("stated-figures", lambda r: f"/api/plans/{r['code']}/stated-figures/", "post",
             lambda r: {"metric": "projects", "year": 2022, "value": "3", "source": "2022年工作要点"}, 201),
    Endpoint("stated-figure", lambda r: f"/api/plans/{r['code']}/stated-figures/{r['figure'].pk}/", "patch",
             lambda r: {"value": "3", "version": 1}, 200),
    Endpoint("rollups", lambda r: f"/api/plans/{r['code']}/rollups/", "post", lambda r: {}, 405),
    Endpoint("variances", lambda r: f"/api/plans/{r['code']}/variances/", "post", lambda r: {}, 405),
    Endpoint("indicators", lambda r: f"/api/plans/{r['code']}/indicators/", "post", lambda r: {}, 405),
    Endpoint("indicator-values", lambda r: f"/api/plans/{r['code']}/indicators/{r['indicator'].pk}/values/", "post",
             lambda r: {"year": 2021, "value": "95.5"}, 201),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@pytest.fixture
def records(plan, budget, figure, indicator):
    recompute_plan(plan.pk)
    return {"code": plan.code, "project": budget.project, "budget": budget, "figure": figure, "indicator": indicator}


def _write(client, endpoint, records):
    return getattr(client, endpoint.method)(endpoint.path(records), endpoint.body(records), format="json")


@by_name
def test_anonymous_callers_are_asked_to_authenticate(endpoint, records, client_for):
    client = client_for(None)
    for response in (client.get(endpoint.path(records)), _write(client, endpoint, records)):
        # Token authentication comes first, so the answer is 401 with a challenge (not DRF's session 403).
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Token'


@by_name
def test_members_of_another_plan_learn_nothing(endpoint, records, outsider, client_for):
    client = client_for(outsider)
    if endpoint.name == "plans":
        assert records["code"] not in [p["code"] for p in client.get("/api/plans/").json()["results"]]
        return
    assert client.get(endpoint.path(records)).status_code == 404
    assert _write(client, endpoint, records).status_code == 404
    unknown = endpoint.path(records).replace(records["code"], "no-such-plan")
    assert client.get(unknown).status_code == 404


@by_name
def test_liaison_officers_read_but_change_nothing(endpoint, records, liaison, client_for):
    client = client_for(liaison)
    path = endpoint.path(records)
    assert [client.get(path).status_code, client.head(path).status_code, client.options(path).status_code] == [200] * 3
    assert _write(client, endpoint, records).status_code == endpoint.refused
    records["project"].refresh_from_db()
    assert records["project"].version == 1


@by_name
@pytest.mark.parametrize("role", ["staff", "plan_admin"])
def test_staff_and_plan_admins_read_and_write(endpoint, role, records, request, client_for):
    client = client_for(request.getfixturevalue(role))
    assert client.get(endpoint.path(records)).status_code == 200
    response = _write(client, endpoint, records)
    assert response.status_code == endpoint.written, response.content


@pytest.mark.django_db
def test_a_superuser_is_an_admin_of_every_plan(records, client_for):
    from tests.factories import UserFactory

    client = client_for(UserFactory(is_superuser=True))
    plans = client.get("/api/plans/").json()["results"]
    assert [(p["code"], p["role"]) for p in plans if p["code"] == records["code"]] == [(records["code"], "admin")]
    response = client.patch(f"/api/plans/{records['code']}/projects/{records['project'].pk}/",
                            {"status": "in_progress", "version": 1}, format="json")
    assert response.status_code == 200


def test_the_plan_list_names_each_plan_and_your_role(records, liaison, plan, other_plan, client_for):
    body = client_for(liaison).get("/api/plans/").json()
    assert body["count"] == 1
    assert body["results"][0]["code"] == plan.code and body["results"][0]["role"] == "liaison"
