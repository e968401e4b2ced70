"""The go-live page's stream key: one per reporter, its secret renewed each time the page opens."""

from __future__ import annotations

import pytest
from django.test import Client

from fieldcast.core.errors import NotAuthenticated
from ingest import services
from ingest.models import LiveSource, StreamKey

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_opening_the_page_again_reuses_the_browser_key_and_stops_the_older_secret(
    reporter,
) -> None:
    # given the go-live page opened once
    first_key, first_secret = services.stream_key_for_go_live_page(user=reporter)

    # when it opens again (another tab, a reload)
    second_key, second_secret = services.stream_key_for_go_live_page(user=reporter)

    # then it is the same key with a new secret; the older secret is refused, nothing is created
    assert second_key.pk == first_key.pk
    assert second_secret != first_secret
    assert StreamKey.objects.filter(user=reporter, for_browser=True).count() == 1
    with pytest.raises(NotAuthenticated):
        services.source_publish_start(secret=first_secret, protocol="whip", session_id="s1")
    assert LiveSource.objects.count() == 0
    grant = services.source_publish_start(secret=second_secret, protocol="whip", session_id="s2")
    assert grant.source.stream_key_id == first_key.pk


def test_leftover_browser_keys_are_revoked_when_the_page_opens(reporter) -> None:
    # given two active browser keys (a race of two tabs under an older version)
    older, _secret = services.stream_key_for_go_live_page(user=reporter)
    extra = StreamKey.objects.create(
        user=reporter, name="Go-live page", for_browser=True, key_hash="x" * 64, prefix="fck_x"
    )
    own, _own_secret = services.stream_key_create(user=reporter, name="Encoder")

    # when the page opens
    key, _secret = services.stream_key_for_go_live_page(user=reporter)

    # then one browser key is left active, and the reporter's own keys are untouched
    assert key.pk == older.pk
    extra.refresh_from_db()
    assert extra.revoked_at is not None
    assert list(
        StreamKey.objects.filter(user=reporter, revoked_at__isnull=True).order_by("pk")
    ) == [older, own]


def test_the_page_opened_many_times_leaves_one_browser_key(reporter) -> None:
    client = Client()
    client.force_login(reporter)

    statuses = [client.get("/live/go/").status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert StreamKey.objects.filter(user=reporter).count() == 1
    assert StreamKey.objects.filter(user=reporter, revoked_at__isnull=True).count() == 1
