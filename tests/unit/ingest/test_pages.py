"""The go-live page and the editors' sources page: who may open them and what they carry."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ingest import services
from ingest.models import StreamKey

pytestmark = pytest.mark.django_db


def test_go_live_page_asks_for_its_key_by_post(client, reporter) -> None:
    # given
    client.force_login(reporter)

    # when the page opens, and then asks for its key (the reporter pressed "Go live")
    page = client.get(reverse("ingest:go-live"))
    issued = client.post(reverse("ingest:go-live-key"))

    # then the page holds no secret, only where to ask for one; the key answers with the secret
    # of the reporter's one page key
    assert page.status_code == 200
    config = json.loads(
        page.content.decode()
        .split('id="golive-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert "secret" not in config
    assert config["keyUrl"] == "/live/go/key/"
    assert config["whipUrl"] == "/live/whip/"
    assert [p["id"] for p in config["presets"]] == ["3g", "4g", "wifi"]
    assert config["presets"][0] == {"id": "3g", "height": 360, "fps": 15, "bitrate": 350_000}
    key = StreamKey.objects.get(for_browser=True)
    assert key.key_hash == services.hash_stream_key(issued.json()["secret"])


def test_go_live_page_is_refused_to_a_viewer(client, viewer) -> None:
    client.force_login(viewer)
    assert client.get(reverse("ingest:go-live")).status_code == 403
    assert StreamKey.objects.count() == 0


def test_sources_page_for_editors_only(client, reporter, editor) -> None:
    # given a running source
    _key, secret = services.stream_key_create(user=reporter, name="Bridge")
    services.source_publish_start(secret=secret, protocol="whip", session_id="s1")

    # when
    client.force_login(reporter)
    refused = client.get(reverse("ingest:sources"))
    client.force_login(editor)
    shown = client.get(reverse("ingest:sources"))

    # then
    assert refused.status_code == 403
    assert shown.status_code == 200
    body = shown.content.decode()
    assert 'data-testid="source-card"' in body
    assert "Bridge" in body


def test_navigation_links(client, reporter, editor) -> None:
    client.force_login(reporter)
    page = client.get("/").content.decode()
    assert 'href="/live/go/"' in page
    assert 'href="/live/sources/"' not in page
    client.force_login(editor)
    page = client.get("/").content.decode()
    assert 'href="/live/sources/"' in page


def test_api_decision_and_list(api_client, reporter, editor) -> None:
    # given
    _key, secret = services.stream_key_create(user=reporter, name="Bridge")
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")

    # when
    api_client.force_authenticate(reporter)
    refused = api_client.post(f"/api/v1/live/sources/{grant.source_key}/approve/")
    own = api_client.get(f"/api/v1/live/sources/{grant.source_key}/")
    api_client.force_authenticate(editor)
    listed = api_client.get("/api/v1/live/sources/")
    approved = api_client.post(f"/api/v1/live/sources/{grant.source_key}/approve/")

    # then
    assert refused.status_code == 403
    assert own.status_code == 200
    assert own.json()["state"] == "live"
    assert [s["id"] for s in listed.json()] == [grant.source_key]
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["state_label"]) == ("approved", "Approved")
