"""The OpenAPI 3 document and its Swagger UI."""

from __future__ import annotations

import pytest
import yaml
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_schema_is_openapi_3_and_lists_the_account_endpoints(client: Client) -> None:
    # when a developer fetches the API schema
    response = client.get("/api/v1/schema/")

    # then it is an OpenAPI 3 document describing the account endpoints
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Fieldcast API"
    assert "/api/v1/me/" in document["paths"]
    assert "/api/v1/auth/token/" in document["paths"]
    assert set(document["paths"]["/api/v1/auth/token/"]) >= {"post", "delete"}
    assert "get" in document["paths"]["/api/v1/me/"]


def test_schema_as_json(client: Client) -> None:
    # when the schema is asked for as JSON
    response = client.get("/api/v1/schema/?format=json")

    # then it is JSON
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_token_authentication_is_documented(client: Client) -> None:
    # when the schema is read
    document = client.get("/api/v1/schema/?format=json").json()

    # then it says how to authenticate
    schemes = document["components"]["securitySchemes"]
    assert "cookieAuth" in schemes


def test_swagger_ui_renders(client: Client) -> None:
    # when a developer opens the API docs
    response = client.get("/api/v1/docs/")

    # then the Swagger UI page is served, pointing at the schema
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # its start-up script is a file of its own (no inline script under the CSP), naming the schema
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert "/api/v1/schema/" in client.get("/api/v1/docs/?script=").content.decode()
    # and Swagger UI comes from our own static files: no CDN, so it works offline
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html
    assert (
        client.get(
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        ).status_code
        == 200
    )
