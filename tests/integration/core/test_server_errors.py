"""A crash is a 500: the error shape on the API, the styled page elsewhere, never a traceback."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


class BrokenApi(APIView):
    permission_classes: list = []

    def get(self, request: Request) -> Response:
        raise ZeroDivisionError("a bug")


def broken_page(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug")


urlpatterns = [
    path("api/v1/broken/", BrokenApi.as_view()),
    path("broken/", broken_page),
    path("", include("fieldcast.urls")),
]
handler500 = "fieldcast.core.views.server_error"


@pytest.fixture
def crashing_client(settings) -> Client:
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def test_api_crash_is_a_json_500(crashing_client: Client) -> None:
    # when an API view crashes
    response = crashing_client.get("/api/v1/broken/")

    # then the client gets the error shape, without internals
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side. Please try again.",
            "fields": {},
        }
    }
    assert b"ZeroDivisionError" not in response.content


def test_page_crash_is_the_styled_500(crashing_client: Client) -> None:
    # when a page crashes
    response = crashing_client.get("/broken/")

    # then the visitor sees the site's own error page (self-contained: no database, no nav)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "ZeroDivisionError" not in html
