"""A background request that meets the expired session first must not swallow the notice."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from fieldcast.accounts.middleware import EXPIRED_MARKER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOTICE = "Your session has expired. Please log in again."


def test_api_call_first_then_page_still_says_the_session_expired() -> None:
    # given a logged-in person whose session the server then forgets
    client = Client()
    client.force_login(UserFactory())
    Session.objects.all().delete()

    # when a background API call from the open page arrives first (it drops the session cookie)
    api = client.get("/api/v1/me/")
    assert api.json()["error"]["code"] == "session_expired"

    # then the next page they open still tells them why they are logged out, once
    first = client.get("/", follow=True).content.decode()
    second = client.get("/").content.decode()
    assert NOTICE in first
    assert NOTICE not in second


def test_no_notice_after_logging_in_again() -> None:
    # given the notice is pending after a background call met the expired session
    user = UserFactory()
    client = Client()
    client.force_login(user)
    Session.objects.all().delete()
    client.get("/api/v1/me/")

    # when they log in again before opening a page
    client.force_login(user)

    # then no stale notice appears
    assert NOTICE not in client.get("/").content.decode()


def test_background_answer_landing_after_the_page_told_does_not_repeat_the_notice() -> None:
    # given a logged-in person whose session the server then forgets
    client = Client()
    client.force_login(UserFactory())
    dead_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.all().delete()

    # and the page they open tells them why
    assert NOTICE in client.get("/accounts/profile/", follow=True).content.decode()

    # when a background call the old page sent earlier (still carrying the dead session cookie)
    # is answered only now, and the browser stores the marker cookie it sets
    late = Client()
    late.cookies[settings.SESSION_COOKIE_NAME] = dead_cookie
    answer = late.get("/api/v1/me/")
    assert answer.json()["error"]["code"] == "session_expired"
    client.cookies[EXPIRED_MARKER] = answer.cookies[EXPIRED_MARKER].value

    # then the next page does not tell them again, and the stale marker is cleared
    home = client.get("/")
    assert NOTICE not in home.content.decode()
    assert home.cookies[EXPIRED_MARKER].value == ""
