"""Log in, log out, and reset a forgotten password through allauth."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from fieldcast.accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NEW_PASSPHRASE = "another-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests() -> None:
    cache.clear()


def test_log_in_with_email_and_password(client: Client, reporter: User) -> None:
    # when a reporter logs in with their email in capitals
    response = client.post(
        "/accounts/login/", {"login": reporter.email.upper(), "password": DEFAULT_PASSWORD}
    )

    # then they are logged in and sent home
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/api/v1/me/").json()["email"] == reporter.email


def test_log_in_with_a_wrong_password_says_so(client: Client, reporter: User) -> None:
    # when the password is wrong
    response = client.post("/accounts/login/", {"login": reporter.email, "password": "nope-nope"})

    # then the form says so and nobody is logged in
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["The email address and/or password you specified are not correct."]
    }
    assert client.get("/api/v1/me/").status_code == 401


def test_log_out(client: Client, reporter: User) -> None:
    # given a logged-in reporter
    client.force_login(reporter)

    # when they log out
    response = client.post("/accounts/logout/", follow=True)

    # then they are logged out and told so
    assert [str(m) for m in response.context["messages"]] == ["You have signed out."]
    assert client.get("/api/v1/me/").status_code == 401


def test_password_reset(client: Client, reporter: User, mailoutbox: list) -> None:
    # given a reporter who forgot their password asks for a reset
    response = client.post("/accounts/password/reset/", {"email": reporter.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [reporter.email]
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    assert link is not None

    # when they follow the link and choose a new password
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(set_url, {"password1": NEW_PASSPHRASE, "password2": NEW_PASSPHRASE})

    # then the new password works and the old one does not
    assert done.status_code == 302
    reporter.refresh_from_db()
    assert reporter.check_password(NEW_PASSPHRASE)
    assert not reporter.check_password(DEFAULT_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing(
    client: Client, mailoutbox: list
) -> None:
    # when someone asks to reset the password of an email with no account
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    # then no reset link is sent anywhere
    assert all("/accounts/password/reset/key/" not in mail.body for mail in mailoutbox)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(
    client: Client, reporter: User, mailoutbox: list
) -> None:
    # when a reset is asked for an account that exists and for one that does not
    known = client.post("/accounts/password/reset/", {"email": reporter.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})

    # then both get the same answer: the page does not tell who has an account
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # and only the real account's owner gets a reset link
    links = [m.to for m in mailoutbox if "/accounts/password/reset/key/" in m.body]
    assert links == [[reporter.email]]
