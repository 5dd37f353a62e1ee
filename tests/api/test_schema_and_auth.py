"""Tokens for other systems, the OpenAPI schema and its documentation pages (no asset from another host)."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_signs_another_system_in(plan, staff, project):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/token/", {"username": staff.username, "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=staff).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [p["code"] for p in client.get("/api/plans/").json()["results"]] == [plan.code]
    # A token needs no CSRF token: writes work as for a signed-in page.
    response = client.patch(f"/api/plans/{plan.code}/projects/{project.pk}/", {"name": "由其他系统改名", "version": 1},
                            format="json")
    assert response.status_code == 200
    assert project.history.latest().history_user == staff


def test_a_wrong_password_or_token_is_refused(plan, staff):
    client = APIClient()
    response = client.post("/api/token/", {"username": staff.username, "password": "wrong"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/plans/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    inactive = UserFactory(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=inactive).key}")
    assert client.get("/api/plans/").status_code == 401


def test_a_signed_in_page_must_send_its_csrf_token_to_write(plan, staff, project):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get(f"/api/plans/{plan.code}/projects/").status_code == 200
    response = client.patch(f"/api/plans/{plan.code}/projects/{project.pk}/", {"name": "x", "version": 1},
                            format="json")
    assert response.status_code == 403


def test_the_schema_is_valid_openapi_in_yaml_and_json(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    as_json = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    assert as_json["paths"] == json.loads(json.dumps(schema["paths"]))
    paths = set(schema["paths"])
    assert {
        "/api/plans/", "/api/plans/{code}/", "/api/plans/{code}/projects/", "/api/plans/{code}/projects/{id}/",
        "/api/plans/{code}/budgets/", "/api/plans/{code}/budgets/{id}/", "/api/plans/{code}/stated-figures/",
        "/api/plans/{code}/stated-figures/{id}/", "/api/plans/{code}/rollups/", "/api/plans/{code}/variances/",
        "/api/plans/{code}/indicators/", "/api/plans/{code}/indicators/{id}/values/", "/api/token/",
    } <= paths
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    patch = schema["paths"]["/api/plans/{code}/projects/{id}/"]["patch"]["responses"]
    assert {"200", "400", "409"} <= set(patch)


@pytest.mark.parametrize("page, asset", [
    ("/api/docs/", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
    ("/api/redoc/", "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
])
def test_the_docs_pages_load_their_assets_from_this_app(client, page, asset):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/static/{asset}" in html
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references and all(ref.startswith("/static/drf_spectacular_sidecar/") for ref in references), references
    assert not re.search(r"https?://", html)  # no CDN, no web fonts
    assert finders.find(asset)  # the asset is really there to serve
