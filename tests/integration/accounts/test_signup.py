"""Sign-up through allauth: clear refusals, the viewer role, and reporter on a verified email."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client

from fieldcast.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PASSPHRASE = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests() -> None:
    # allauth counts sign-ups and verification emails in the cache, which outlives a test.
    cache.clear()


def _sign_up(client: Client, email: str, password: str = PASSPHRASE, name: str = "Amina"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "display_name": name, "password1": password, "password2": password},
    )


def _roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_sign_up_creates_a_viewer_and_sends_a_verification_email(
    client: Client, mailoutbox: list
) -> None:
    # when a newcomer signs up
    response = _sign_up(client, "amina@example.org")

    # then they are told to verify their email, and they are a viewer for now
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="amina@example.org")
    assert user.display_name == "Amina"
    assert _roles(user) == ["viewer"]
    assert not user.has_perm("accounts.upload_video")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]
    assert mailoutbox[0].subject.startswith("[Fieldcast] ")


def test_confirming_the_email_makes_a_reporter(client: Client, mailoutbox: list) -> None:
    # given a newcomer who signed up and received the verification email
    _sign_up(client, "amina@example.org")
    link = re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    assert link is not None
    path = link.group(1)

    # when they open the link and confirm
    page = client.get(path)
    response = client.post(path)

    # then their email is verified, they are logged in, and they are a reporter
    assert page.status_code == 200
    assert response.status_code == 302
    user = User.objects.get(email="amina@example.org")
    assert EmailAddress.objects.get(user=user).verified is True
    assert _roles(user) == ["reporter", "viewer"]
    assert user.has_perm("accounts.upload_video")
    assert user.has_perm("accounts.go_live")
    assert client.get("/api/v1/me/").json()["roles"] == ["viewer", "reporter"]


def test_unverified_account_cannot_log_in(client: Client) -> None:
    # given a newcomer who signed up but did not verify
    _sign_up(client, "amina@example.org")
    client.logout()

    # when they log in
    response = client.post(
        "/accounts/login/", {"login": "amina@example.org", "password": PASSPHRASE}
    )

    # then they are sent to verify their email first
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/api/v1/me/").status_code == 401


def _accounts_state() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list("pk", "email", "password", "is_active")) + [
        tuple(row)
        for row in EmailAddress.objects.order_by("pk").values_list("pk", "email", "verified")
    ]


def test_sign_up_with_a_taken_email_looks_like_any_sign_up_and_tells_the_owner(
    client: Client, mailoutbox: list
) -> None:
    # given an account with this email already exists
    UserFactory(email="taken@example.org")
    before = _accounts_state()

    # when someone signs up with it (in another letter case)
    response = _sign_up(client, "Taken@Example.org")

    # then the page answers as for a new address (nothing tells that the account exists) ...
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    # ... nothing was created or changed, and the owner alone is told by email
    assert _accounts_state() == before
    assert [mail.to for mail in mailoutbox] == [["taken@example.org"]]
    assert "already" in mailoutbox[0].body.lower()


def test_sign_up_with_a_taken_or_a_new_email_gives_the_same_page(client: Client) -> None:
    # given one taken address
    UserFactory(email="taken@example.org")

    # when a newcomer and an enumerator sign up
    new = _sign_up(Client(), "newcomer@example.org")
    taken = _sign_up(client, "taken@example.org")

    # then both land on the same page
    assert (new.status_code, new["Location"]) == (taken.status_code, taken["Location"])


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1x", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("73922581046", "This password is entirely numeric."),
    ],
)
def test_sign_up_with_a_weak_password_is_refused_clearly(
    client: Client, mailoutbox: list, password: str, message: str
) -> None:
    # when a newcomer picks a weak password
    response = _sign_up(client, "weak@example.org", password=password)

    # then the form explains why, and nothing is created
    assert response.status_code == 200
    assert message in response.context["form"].errors["password1"]
    assert message in response.content.decode()
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert mailoutbox == []


def test_sign_up_with_mismatched_passwords_is_refused(client: Client) -> None:
    # when the two passwords differ
    response = client.post(
        "/accounts/signup/",
        {
            "email": "typo@example.org",
            "password1": PASSPHRASE,
            "password2": PASSPHRASE + "x",
        },
    )

    # then the form says so and nothing is created
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password2": ["You must type the same password each time."]
    }
    assert User.objects.count() == 0


def test_sign_up_and_login_pages_render(client: Client) -> None:
    # when a visitor opens the account pages
    signup = client.get("/accounts/signup/")
    login = client.get("/accounts/login/")

    # then they are styled like the rest of the site
    for response in (signup, login):
        assert response.status_code == 200
        assert 'class="site-header"' in response.content.decode()
    assert 'name="display_name"' in signup.content.decode()
