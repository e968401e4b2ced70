"""A background request that meets the expired session first must not swallow the notice."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

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
