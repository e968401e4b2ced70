"""One login limiter for every way to present a password: login page, token API, password change."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from fieldcast.accounts.login_limits import slowdown_seconds
from fieldcast.accounts.models import ApiToken, SecurityEvent, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WRONG = "not-the-password"
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def _state(user: User) -> tuple:
    """Everything a refused password could have changed for this person."""
    user.refresh_from_db()
    return (
        user.password,
        user.last_login,
        user.is_active,
        list(ApiToken.objects.filter(user=user).values_list("key_hash", "last_used_at")),
    )


def _token(client: APIClient, email: str, password: str, address: str = ATTACKER):
    return client.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, REMOTE_ADDR=address
    )


def _login(client: Client, email: str, password: str, address: str = ATTACKER):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_token_endpoint_locks_out_the_account_and_address_pair(reporter) -> None:
    # given a reporter and the state of their account
    limit = settings.AXES_FAILURE_LIMIT
    before = _state(reporter)
    api = APIClient()

    # when 60 wrong passwords arrive on the token endpoint from one address
    statuses = [_token(api, reporter.email, WRONG).status_code for _ in range(60)]

    # then the first ones are 401 and from the limit on every answer is 429
    assert statuses == [401] * (limit - 1) + [429] * (61 - limit)
    # and even the right password gets no token from that address
    refused = _token(api, reporter.email, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert set(refused.json()["error"]) == {"code", "message", "fields"}
    assert _state(reporter) == before
    # and the audit trail says so, once for the lockout (not once per refused try)
    assert SecurityEvent.objects.filter(kind="login_locked_out", user=reporter).count() == 1


def test_the_reporter_still_gets_a_token_from_another_address(reporter) -> None:
    # given an attacker locked out of the reporter's account from their address
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api, reporter.email, WRONG)

    # when the reporter asks from their own phone
    response = _token(APIClient(), reporter.email, DEFAULT_PASSWORD, address=ELSEWHERE)

    # then they get a token: the account itself is not locked
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=reporter).count() == 1


def test_login_page_failures_lock_the_token_endpoint_too(reporter) -> None:
    # given wrong passwords typed on the login page up to the limit
    page = Client()
    answers = [_login(page, reporter.email, WRONG).status_code for _ in range(12)]
    before = _state(reporter)

    # when the right password is sent to the token endpoint from the same address
    response = _token(APIClient(), reporter.email.upper(), DEFAULT_PASSWORD)

    # then the page said "too many" and the token endpoint refuses too: one limiter
    limit = settings.AXES_FAILURE_LIMIT
    assert answers == [200] * (limit - 1) + [429] * (12 - limit + 1)
    assert response.status_code == 429
    assert _state(reporter) == before


def test_token_failures_lock_the_login_page_with_a_clear_page(reporter) -> None:
    # given the token endpoint locked for this account and address
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api, reporter.email, WRONG)
    before = _state(reporter)

    # when the right password is typed on the login page
    client = Client()
    response = _login(client, reporter.email, DEFAULT_PASSWORD)

    # then a page says why, with Retry-After, and nobody is logged in
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many failed login attempts. Try again in 15 minutes" in body
    assert 'data-testid="lockout"' in body
    assert client.get("/api/v1/me/").status_code == 401
    assert _state(reporter) == before


def test_lockout_page_in_chinese(reporter) -> None:
    # given a locked pair, and a visitor reading Chinese
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api, reporter.email, WRONG)
    client = Client()
    client.cookies["django_language"] = "zh-hans"

    # when they try to log in
    response = _login(client, reporter.email, DEFAULT_PASSWORD)

    # then the message is in Chinese
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_password_change_counts_wrong_current_passwords(reporter) -> None:
    # given a logged-in session (a stolen laptop)
    client = Client()
    client.force_login(reporter)
    new = "a-brand-new-long-passphrase"
    form = {"oldpassword": WRONG, "password1": new, "password2": new}

    # when someone guesses the current password on the change form
    answers = [
        client.post("/accounts/password/change/", form, REMOTE_ADDR=ATTACKER).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    before = _state(reporter)
    right = {**form, "oldpassword": DEFAULT_PASSWORD}
    response = client.post("/accounts/password/change/", right, REMOTE_ADDR=ATTACKER)

    # then the limiter stops them like on the login page, and the password is unchanged
    assert answers[-1] == 429
    assert response.status_code == 429
    assert _state(reporter) == before
    assert AccessAttempt.objects.filter(username=reporter.email, ip_address=ATTACKER).exists()


def test_a_successful_login_clears_the_pairs_failures(reporter) -> None:
    # given a few wrong passwords (a typo or two)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, reporter.email, WRONG)

    # when the right one comes, then a later typo starts counting from zero
    assert _login(client, reporter.email, DEFAULT_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert _login(client, reporter.email, WRONG).status_code == 200
    assert _login(client, reporter.email, DEFAULT_PASSWORD).status_code == 302


@pytest.fixture
def slowdown(settings):
    settings.LOGIN_SLOWDOWN_AFTER = 4
    settings.LOGIN_SLOWDOWN_BASE_SECONDS = 5
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 60
    return settings


def test_many_addresses_slow_the_account_down_and_the_owner_is_told(slowdown, mailoutbox) -> None:
    # given a reporter who logged in from their phone before
    reporter = UserFactory(roles=["reporter"])
    phone = "192.0.2.55"
    assert _login(Client(), reporter.email, DEFAULT_PASSWORD, address=phone).status_code == 302
    before = _state(reporter)

    # when wrong passwords come from four different addresses (under the pair limit each)
    for number in range(4):
        _token(APIClient(), reporter.email, WRONG, address=f"203.0.113.{number + 1}")

    # then a fifth, new address must wait (429, a short Retry-After), even with the password
    new_place = _token(APIClient(), reporter.email, DEFAULT_PASSWORD, address="203.0.113.99")
    assert new_place.status_code == 429
    assert 0 < int(new_place["Retry-After"]) <= 5
    assert _state(reporter) == before
    # the owner's phone is not slowed down
    assert _token(APIClient(), reporter.email, DEFAULT_PASSWORD, address=phone).status_code == 201
    # the owner was told once, and the trail has it
    assert [mail.to for mail in mailoutbox] == [[reporter.email]]
    assert "wrong password" in mailoutbox[0].body
    assert SecurityEvent.objects.filter(kind="login_slowed", user=reporter).count() == 1


def test_slowdown_grows_with_more_failures() -> None:
    # given the default rules
    after = settings.LOGIN_SLOWDOWN_AFTER

    # then below the threshold nothing waits, then the wait doubles up to the cap
    assert slowdown_seconds(after - 1) == 0
    assert [slowdown_seconds(after + n) for n in range(3)] == [2, 4, 8]
    assert slowdown_seconds(after + 50) == settings.LOGIN_SLOWDOWN_MAX_SECONDS


def test_forwarded_for_is_ignored_without_a_proxy(reporter) -> None:
    # given the pair locked from the attacker's address
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api, reporter.email, WRONG)

    # when the attacker claims another address in X-Forwarded-For
    response = api.post(
        "/api/v1/auth/token/",
        {"email": reporter.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )

    # then it changes nothing
    assert response.status_code == 429


def test_reauthentication_counts_toward_the_same_limit(reporter) -> None:
    # given a logged-in session asked to confirm its password (allauth's re-authentication)
    client = Client()
    client.force_login(reporter)

    # when wrong passwords are typed there up to the limit
    answers = [
        client.post(
            "/accounts/reauthenticate/", {"password": WRONG}, REMOTE_ADDR=ATTACKER
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    # then the limiter answers 429, and the token endpoint is locked for that pair as well
    assert answers[-1] == 429
    assert _token(APIClient(), reporter.email, DEFAULT_PASSWORD).status_code == 429


def test_the_admin_login_counts_toward_the_same_limit(staff_user) -> None:
    # when wrong passwords are typed on the admin's own login page up to the limit
    client = Client()
    answers = [
        client.post(
            "/admin/login/",
            {"username": staff_user.email, "password": WRONG},
            REMOTE_ADDR=ATTACKER,
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    # then the last is refused with 429, and the token endpoint is locked for that pair too
    assert answers[-1] == 429
    assert _token(APIClient(), staff_user.email, DEFAULT_PASSWORD).status_code == 429
