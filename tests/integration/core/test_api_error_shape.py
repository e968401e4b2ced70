"""Bad input to the API, end to end through Django: every answer is the one error shape."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from fieldcast.accounts.models import ApiToken, User

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _assert_error_shape(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


def test_unknown_api_route_is_a_json_404(api_client: APIClient) -> None:
    # when a client calls an address the API does not have
    response = api_client.get("/api/v1/no-such-thing/")

    # then it gets the error shape, not an HTML page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is no API endpoint at this address.",
            "fields": {},
        }
    }


def test_unknown_api_route_without_trailing_slash_is_a_json_404(api_client: APIClient) -> None:
    # when a client calls an unknown address with no slash
    response = api_client.post("/api/v1/videos/upload", data="{}", content_type="application/json")

    # then it is the same JSON 404
    assert response.status_code == 404
    _assert_error_shape(response.json(), "not_found")


def test_non_json_body_is_malformed_request(api_client: APIClient) -> None:
    # when a client sends a body that is not JSON but says it is
    response = api_client.post(
        "/api/v1/auth/token/", data="email=a@b.org&password=x", content_type="application/json"
    )

    # then it is told to send valid JSON, and no token exists
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "malformed_request",
            "message": "The request body could not be read: send valid JSON.",
            "fields": {},
        }
    }
    assert ApiToken.objects.count() == 0


def test_invalid_token_is_authentication_failed(api_client: APIClient) -> None:
    # when a client sends a token that does not exist
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope")

    # then it is refused with the error shape and a hint how to authenticate
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "This API token is not valid or was revoked.",
            "fields": {},
        }
    }


def test_malformed_authorization_header_is_authentication_failed(api_client: APIClient) -> None:
    # when a client sends "Token" with two words after it
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token one two")

    # then it is told the header's form
    assert response.status_code == 401
    body = response.json()
    _assert_error_shape(body, "authentication_failed")
    assert body["error"]["message"] == "Malformed Authorization header: use “Token <key>”."


def test_anonymous_me_is_not_authenticated(api_client: APIClient) -> None:
    # when nobody is logged in
    response = api_client.get("/api/v1/me/")

    # then the API says to log in
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_expired_session_is_named_on_the_api(viewer: User) -> None:
    # given a browser that was logged in, whose session the server no longer has
    client = APIClient()
    client.force_login(viewer)
    assert client.get("/api/v1/me/").status_code == 200
    Session.objects.all().delete()

    # when it calls the API with the old cookie
    response = client.get("/api/v1/me/")

    # then it is told the session expired
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "session_expired",
            "message": "Your session has expired. Please log in again.",
            "fields": {},
        }
    }


def test_expired_session_shows_a_message_on_the_page(viewer: User) -> None:
    # given a browser that was logged in, whose session the server no longer has
    client = Client()
    client.force_login(viewer)
    Session.objects.all().delete()

    # when it opens a page with the old cookie
    response = client.get("/")

    # then the page says why the person is logged out
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Your session has expired. Please log in again."
    ]
    assert "Your session has expired. Please log in again." in response.content.decode()


def test_expired_session_message_is_shown_once(viewer: User) -> None:
    # given a browser whose session expired and which was told so
    client = Client()
    client.force_login(viewer)
    Session.objects.all().delete()
    client.get("/")

    # when it opens another page
    response = client.get("/")

    # then the message is not repeated (the dead cookie was dropped)
    assert "Your session has expired" not in response.content.decode()


def test_logged_out_visitor_is_not_told_the_session_expired(viewer: User) -> None:
    # given a person who logged out themselves
    client = Client()
    client.force_login(viewer)
    client.post("/accounts/logout/")

    # when they open a page
    response = client.get("/")

    # then there is no expiry message
    assert "Your session has expired" not in response.content.decode()


def test_unknown_page_is_the_styled_404(client: Client) -> None:
    # when a visitor opens an address that does not exist
    response = client.get("/no/such/page/")

    # then they see the site's own 404 page
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'class="site-header"' in html
    assert "/static/css/fieldcast.css" in html


def test_bad_token_with_a_stale_session_cookie_blames_the_token(viewer: User) -> None:
    # given a browser whose session expired, and a script sending a revoked token from it
    client = APIClient()
    client.force_login(viewer)
    Session.objects.all().delete()

    # when it calls the API with the bad token
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token revoked-key")

    # then the answer is about the token, not the session
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_wrong_method_is_method_not_allowed(api_client: APIClient, viewer: User) -> None:
    # given a logged-in client
    api_client.force_login(viewer)

    # when it uses a method the endpoint does not have
    response = api_client.put("/api/v1/me/", {}, format="json")

    # then the error shape names it
    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": 'Method "PUT" not allowed.',
            "fields": {},
        }
    }


def test_refusal_without_credentials_says_how_to_authenticate(db: None) -> None:
    # when an anonymous client asks for a token without credentials (a service's refusal)
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")

    # then the 401 tells it which scheme to use, as HTTP requires
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_expired_session_on_a_private_page_explains_the_login_prompt(viewer: User) -> None:
    # given a person on their profile whose session the server no longer has
    client = Client()
    client.force_login(viewer)
    Session.objects.all().delete()

    # when they reload their profile
    response = client.get("/accounts/profile/", follow=True)

    # then they land on the login page, told why
    assert response.redirect_chain == [("/accounts/login/?next=/accounts/profile/", 302)]
    assert "Your session has expired. Please log in again." in response.content.decode()
