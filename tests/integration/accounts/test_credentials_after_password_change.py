"""A password change or reset revokes the API token and browser go-live keys; a reset also ends
the live streams those keys fed; stream keys can be rotated all at once; idle tokens expire."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from fieldcast.accounts import services as account_services
from fieldcast.accounts.models import ApiToken, SecurityEvent, User
from fieldcast.core.errors import NotAuthenticated, PermissionDenied
from ingest import services as ingest_services
from ingest.models import SourceState, StreamKey
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NEW_PASSPHRASE = "another-long-and-unusual-passphrase"


def _me_with_token(key: str) -> int:
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def _reset_through_the_emailed_link(client: Client, user: User, mailoutbox: list) -> None:
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mailoutbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(set_url, {"password1": NEW_PASSPHRASE, "password2": NEW_PASSPHRASE})
    assert done.status_code == 302


@pytest.fixture
def live_from_the_browser(reporter):
    """A reporter live from the go-live page, with an API token and a named stream key."""
    token = account_services.api_token_create(user=reporter)
    _browser_key, browser_secret = ingest_services.stream_key_for_go_live_page(user=reporter)
    grant = ingest_services.source_publish_start(
        secret=browser_secret, protocol="whip", session_id="phone-1"
    )
    _named, named_secret = ingest_services.stream_key_create(user=reporter, name="Encoder")
    return token, browser_secret, grant.source, named_secret


def test_reset_revokes_token_and_browser_key_and_ends_the_browser_stream(
    client, reporter, mailoutbox, live_from_the_browser, django_capture_on_commit_callbacks
) -> None:
    # given a reporter live from the browser, with a working API token
    token, browser_secret, source, named_secret = live_from_the_browser
    assert _me_with_token(token) == 200

    # when the password is reset through the emailed link
    with django_capture_on_commit_callbacks(execute=True):
        _reset_through_the_emailed_link(client, reporter, mailoutbox)

    # then the old token answers 401 and the browser key is refused
    assert _me_with_token(token) == 401
    assert ApiToken.objects.filter(user=reporter).count() == 0
    with pytest.raises(PermissionDenied):
        ingest_services.source_publish_start(
            secret=browser_secret, protocol="whip", session_id="phone-2"
        )
    # the stream it fed was ended, with a reason the reporter can read
    source.refresh_from_db()
    assert source.state == SourceState.ENDED
    assert "password was reset" in source.state_reason
    # the page after the reset says what happened
    done = client.get("/accounts/password/reset/key/done/")
    assert 'data-testid="credentials-revoked"' in done.content.decode()
    # the named key is the reporter's to rotate: it still works until then
    grant = ingest_services.source_publish_start(
        secret=named_secret, protocol="rtmp", session_id="enc-1"
    )
    assert grant.source.reporter_id == reporter.pk
    assert SecurityEvent.objects.filter(kind="password_reset", user=reporter).count() == 1


def test_voluntary_change_revokes_token_and_browser_key_but_keeps_the_stream_live(
    reporter, live_from_the_browser, django_capture_on_commit_callbacks
) -> None:
    # given a reporter live from the browser
    token, browser_secret, source, _named_secret = live_from_the_browser
    client = Client()
    client.force_login(reporter)

    # when they change their password themselves
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/change/",
            {
                "oldpassword": DEFAULT_PASSWORD,
                "password1": NEW_PASSPHRASE,
                "password2": NEW_PASSPHRASE,
            },
        )

    # then token and browser key are revoked, but the running stream is not cut
    assert response.status_code == 302
    assert _me_with_token(token) == 401
    assert StreamKey.objects.get(user=reporter, for_browser=True).revoked_at is not None
    source.refresh_from_db()
    assert source.state == SourceState.CONNECTING
    assert SecurityEvent.objects.filter(kind="password_changed", user=reporter).count() == 1


def test_a_wrong_current_password_changes_nothing(reporter, live_from_the_browser) -> None:
    # given the reporter's credentials
    token, *_rest = live_from_the_browser
    client = Client()
    client.force_login(reporter)
    before = (
        User.objects.get(pk=reporter.pk).password,
        list(ApiToken.objects.values_list("pk", "key_hash")),
        list(StreamKey.objects.order_by("pk").values_list("pk", "key_hash", "revoked_at")),
        SecurityEvent.objects.count(),
    )

    # when the current password is wrong
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "nope-nope-nope", "password1": NEW_PASSPHRASE, "password2": NEW_PASSPHRASE},
    )

    # then the form says so and nothing changed
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    after = (
        User.objects.get(pk=reporter.pk).password,
        list(ApiToken.objects.values_list("pk", "key_hash")),
        list(StreamKey.objects.order_by("pk").values_list("pk", "key_hash", "revoked_at")),
        SecurityEvent.objects.count(),
    )
    assert after == before
    assert _me_with_token(token) == 200


def test_rotate_all_gives_every_named_key_a_new_secret_shown_once(reporter) -> None:
    # given two named keys and the go-live page's key
    _first, first_secret = ingest_services.stream_key_create(user=reporter, name="Phone")
    _second, second_secret = ingest_services.stream_key_create(user=reporter, name="Encoder")
    browser, _browser_secret = ingest_services.stream_key_for_go_live_page(user=reporter)
    client = Client()
    client.force_login(reporter)

    # when the reporter rotates all keys in one step
    response = client.post("/live/keys/rotate-all/")

    # then the page shows both new secrets once; the old ones are refused
    body = response.content.decode()
    new_secrets = re.findall(r'data-testid="rotated-key">([^<]+)<', body)
    assert response.status_code == 200
    assert len(new_secrets) == 2
    for old in (first_secret, second_secret):
        with pytest.raises(NotAuthenticated):
            ingest_services.source_publish_start(secret=old, protocol="rtmp", session_id="x")
    grant = ingest_services.source_publish_start(
        secret=new_secrets[0], protocol="rtmp", session_id="y"
    )
    assert grant.source.reporter_id == reporter.pk
    assert StreamKey.objects.get(pk=browser.pk).rotated_at == browser.rotated_at
    assert "rotated-key" not in client.get("/accounts/profile/").content.decode()
    assert SecurityEvent.objects.filter(kind="stream_keys_rotated", user=reporter).count() == 1


def test_rotate_all_is_post_only(reporter) -> None:
    client = Client()
    client.force_login(reporter)
    _key, _secret = ingest_services.stream_key_create(user=reporter, name="Phone")
    before = list(StreamKey.objects.values_list("pk", "key_hash"))

    assert client.get("/live/keys/rotate-all/").status_code == 405
    assert list(StreamKey.objects.values_list("pk", "key_hash")) == before


def test_an_idle_token_expires(reporter) -> None:
    # given a token last used longer ago than the idle limit
    key = account_services.api_token_create(user=reporter)
    idle = timezone.now() - timedelta(days=settings.API_TOKEN_IDLE_DAYS, minutes=1)
    ApiToken.objects.filter(user=reporter).update(last_used_at=idle)

    # when it is used, then it is refused
    assert _me_with_token(key) == 401


def test_a_token_used_recently_keeps_working(reporter) -> None:
    key = account_services.api_token_create(user=reporter)
    recent = timezone.now() - timedelta(days=settings.API_TOKEN_IDLE_DAYS - 1)
    ApiToken.objects.filter(user=reporter).update(last_used_at=recent, created_at=recent)

    assert _me_with_token(key) == 200


def test_a_never_used_token_expires_after_the_idle_limit_from_creation(reporter) -> None:
    key = account_services.api_token_create(user=reporter)
    old = timezone.now() - timedelta(days=settings.API_TOKEN_IDLE_DAYS, minutes=1)
    ApiToken.objects.filter(user=reporter).update(created_at=old)

    assert _me_with_token(key) == 401


def test_profile_lists_the_token_with_its_last_use_and_expiry(reporter) -> None:
    # given a token used a day ago
    account_services.api_token_create(user=reporter)
    ApiToken.objects.filter(user=reporter).update(last_used_at=timezone.now() - timedelta(days=1))
    client = Client()
    client.force_login(reporter)

    # when the reporter opens their profile
    body = client.get("/accounts/profile/").content.decode()

    # then it says when it was last used and when it stops working
    assert "Last used 1\xa0day ago." in body
    assert 'data-testid="token-expiry"' in body
    assert "Stops working on" in body
