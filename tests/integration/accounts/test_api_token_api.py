"""POST/DELETE /api/v1/auth/token/ and the token on /api/v1/me/."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from fieldcast.accounts.models import ApiToken, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests() -> None:
    cache.clear()


def _me(key: str):
    return APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}")


def test_email_and_password_get_a_working_token(reporter: User) -> None:
    # when a script sends the reporter's email and password
    response = APIClient().post(
        TOKEN_URL, {"email": reporter.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    # then it gets a token that works on the API, stored only as a hash
    assert response.status_code == 201
    key = response.json()["token"]
    assert set(response.json()) == {"token"}
    me = _me(key)
    assert me.status_code == 200
    assert me.json() == {
        "id": reporter.pk,
        "email": reporter.email,
        "display_name": reporter.display_name,
        "public_name": reporter.display_name,
        "city": "Lagos",
        "bio": "",
        "roles": ["viewer", "reporter"],
        "capabilities": {
            "upload_video": True,
            "go_live": True,
            "moderate_content": False,
            "operate_studio": False,
            "promote_reporter": False,
            "view_dashboards": False,
        },
    }
    token = ApiToken.objects.get(user=reporter)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix}


def test_email_is_matched_in_any_letter_case(viewer: User) -> None:
    # when the email is typed with capitals
    response = APIClient().post(
        TOKEN_URL, {"email": viewer.email.upper(), "password": DEFAULT_PASSWORD}, format="json"
    )

    # then it is the same account
    assert response.status_code == 201
    assert _me(response.json()["token"]).json()["email"] == viewer.email


def test_logged_in_session_gets_a_token(viewer: User) -> None:
    # given a browser session
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)
    client.get("/")  # sets the CSRF cookie, as a page visit does
    csrf = client.cookies["csrftoken"].value

    # when it asks for a token (no credentials in the body)
    response = client.post(TOKEN_URL, {}, format="json", HTTP_X_CSRFTOKEN=csrf)

    # then the token belongs to the session's user
    assert response.status_code == 201
    assert _me(response.json()["token"]).json()["email"] == viewer.email


def test_session_without_csrf_token_is_refused(viewer: User) -> None:
    # given a browser session
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)

    # when a cross-site form posts to the token endpoint
    response = client.post(TOKEN_URL, {}, format="json")

    # then it is refused and no token is made
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert ApiToken.objects.count() == 0


def test_wrong_password_is_invalid_credentials(viewer: User) -> None:
    # when a script sends a wrong password
    response = APIClient().post(
        TOKEN_URL, {"email": viewer.email, "password": "not-the-password"}, format="json"
    )

    # then it is refused by name and no token exists
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The email address and password do not match an active account.",
            "fields": {},
        }
    }
    assert ApiToken.objects.count() == 0


def test_unknown_email_is_invalid_credentials(db: None) -> None:
    # when a script sends an email no account has
    response = APIClient().post(
        TOKEN_URL, {"email": "nobody@example.org", "password": "whatever-it-is"}, format="json"
    )

    # then the answer is the same as for a wrong password (no account enumeration)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_inactive_account_is_invalid_credentials(viewer: User) -> None:
    # given a deactivated account
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])

    # when it asks for a token with the right password
    response = APIClient().post(
        TOKEN_URL, {"email": viewer.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    # then it is refused
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_anonymous_without_credentials_is_told_how(db: None) -> None:
    # when nobody is logged in and the body is empty
    response = APIClient().post(TOKEN_URL, {}, format="json")

    # then it is told what to send
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Log in, or send your email and password, to get an API token.",
            "fields": {},
        }
    }


def test_malformed_email_is_a_field_error(db: None) -> None:
    # when the email is not an email address
    response = APIClient().post(
        TOKEN_URL, {"email": "not-an-email", "password": "x"}, format="json"
    )

    # then the field is named
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Some of the information is not valid.",
            "fields": {"email": ["Enter a valid email address."]},
        }
    }


def test_replacing_the_token_revokes_the_old_key(viewer: User) -> None:
    # given a script holding a token
    client = APIClient()
    credentials = {"email": viewer.email, "password": DEFAULT_PASSWORD}
    old_key = client.post(TOKEN_URL, credentials, format="json").json()["token"]

    # when a new token is issued
    new_key = client.post(TOKEN_URL, credentials, format="json").json()["token"]

    # then the old key is refused, the new one works, and there is one token
    assert _me(old_key).status_code == 401
    assert _me(old_key).json()["error"]["code"] == "authentication_failed"
    assert _me(new_key).status_code == 200
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_delete_revokes_the_token(viewer: User) -> None:
    # given a script holding a token
    key = (
        APIClient()
        .post(TOKEN_URL, {"email": viewer.email, "password": DEFAULT_PASSWORD}, format="json")
        .json()["token"]
    )

    # when it revokes its own token
    response = APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {key}")

    # then the token is gone and refused
    assert response.status_code == 204
    assert response.content == b""
    assert ApiToken.objects.filter(user=viewer).count() == 0
    assert _me(key).status_code == 401
    assert _me(key).json()["error"]["code"] == "authentication_failed"


def test_second_delete_is_no_token(viewer: User) -> None:
    # given a logged-in person who revoked their token
    client = APIClient()
    client.force_login(viewer)
    client.post(TOKEN_URL, {}, format="json")
    assert client.delete(TOKEN_URL).status_code == 204

    # when they revoke again
    response = client.delete(TOKEN_URL)

    # then they are told there is nothing to revoke
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "no_token",
            "message": "You have no API token to revoke.",
            "fields": {},
        }
    }


def test_anonymous_delete_is_not_authenticated(viewer: User) -> None:
    # given someone else's token exists
    UserFactory()
    APIClient().post(
        TOKEN_URL, {"email": viewer.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    # when an anonymous client tries to revoke
    response = APIClient().delete(TOKEN_URL)

    # then it is refused and the token stays
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_token_use_is_recorded(viewer: User) -> None:
    # given a fresh token
    key = (
        APIClient()
        .post(TOKEN_URL, {"email": viewer.email, "password": DEFAULT_PASSWORD}, format="json")
        .json()["token"]
    )
    assert ApiToken.objects.get(user=viewer).last_used_at is None

    # when it is used
    _me(key)

    # then the time of use is stored
    assert ApiToken.objects.get(user=viewer).last_used_at is not None


def test_unverified_account_gets_no_token(client_signed_up: User) -> None:
    # when an account whose email was never verified asks for a token with its password
    response = APIClient().post(
        TOKEN_URL,
        {"email": client_signed_up.email, "password": "a-long-and-unusual-passphrase"},
        format="json",
    )

    # then it is told to verify first (as the login page would), and no token exists
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "email_unverified",
            "message": "Verify your email address first: follow the link we sent you.",
            "fields": {},
        }
    }
    assert ApiToken.objects.count() == 0


@pytest.fixture
def client_signed_up(db: None) -> User:
    """Someone who signed up on the site and did not follow the verification link."""
    Client().post(
        "/accounts/signup/",
        {
            "email": "unverified@example.org",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    return User.objects.get(email="unverified@example.org")


def test_unverified_account_gets_a_token_when_verification_is_optional(
    client_signed_up: User, settings
) -> None:
    # given an installation where email verification is optional
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"

    # when the unverified account asks for a token
    response = APIClient().post(
        TOKEN_URL,
        {"email": client_signed_up.email, "password": "a-long-and-unusual-passphrase"},
        format="json",
    )

    # then it gets one, as it could log in on the site
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=client_signed_up).count() == 1
