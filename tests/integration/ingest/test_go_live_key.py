"""The go-live page's stream key: one per reporter, its secret renewed each time the page asks for
it by POST; loading the page changes nothing."""

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


def _keys_state() -> list[tuple]:
    return list(
        StreamKey.objects.order_by("pk").values_list(
            "pk", "key_hash", "prefix", "rotated_at", "revoked_at", "assignment_ref"
        )
    )


def test_loading_the_page_changes_no_key(reporter) -> None:
    # given a reporter whose go-live page already holds a key
    client = Client()
    client.force_login(reporter)
    assert client.post("/live/go/key/").status_code == 200
    before = _keys_state()

    # when the page is loaded again and again (GET)
    statuses = [client.get("/live/go/").status_code for _ in range(5)]

    # then nothing about the keys changed, and no secret is in the page
    assert statuses == [200] * 5
    assert _keys_state() == before
    assert "fck_" not in client.get("/live/go/").content.decode()


def test_an_open_go_live_tab_keeps_working_when_the_page_loads_in_another_tab(reporter) -> None:
    # given a first tab that asked for its key (the reporter pressed "Go live")
    client = Client()
    client.force_login(reporter)
    first = client.post("/live/go/key/")
    secret = first.json()["secret"]

    # when the page is loaded in a second tab
    assert client.get("/live/go/").status_code == 200

    # then the first tab's secret still starts (and resumes) its stream
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="tab-1")
    assert grant.source.reporter_id == reporter.pk
    assert first["Cache-Control"] == "no-store"


def test_the_key_is_issued_by_post_only(reporter) -> None:
    # given a logged-in reporter
    client = Client()
    client.force_login(reporter)

    # when the key URL is fetched with GET
    response = client.get("/live/go/key/")

    # then it is refused and nothing is created
    assert response.status_code == 405
    assert StreamKey.objects.count() == 0


def test_a_viewer_gets_no_go_live_key(viewer) -> None:
    client = Client()
    client.force_login(viewer)

    response = client.post("/live/go/key/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert StreamKey.objects.count() == 0
