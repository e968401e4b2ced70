"""Stream keys through the API and the profile page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ingest import services
from ingest.models import StreamKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_api_create_returns_the_secret_once_and_list_hides_it(api_client, reporter) -> None:
    # given
    api_client.force_authenticate(reporter)

    # when
    created = api_client.post(
        "/api/v1/live/keys/", {"name": "Pixel", "assignment_ref": "A-7"}, format="json"
    )
    listed = api_client.get("/api/v1/live/keys/")

    # then
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert created.json()["key"]["name"] == "Pixel"
    assert created.json()["key"]["assignment_ref"] == "A-7"
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    assert secret not in listed.content.decode()
    assert listed.json()[0]["prefix"] == secret[:10]


def test_api_rename_rotate_revoke(api_client, reporter) -> None:
    # given
    api_client.force_authenticate(reporter)
    key_id = api_client.post("/api/v1/live/keys/", {"name": "A"}, format="json").json()["key"]["id"]

    # when
    renamed = api_client.patch(f"/api/v1/live/keys/{key_id}/", {"name": "B"}, format="json")
    rotated = api_client.post(f"/api/v1/live/keys/{key_id}/rotate/")
    revoked = api_client.delete(f"/api/v1/live/keys/{key_id}/")

    # then
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "B"
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("fck_")
    assert revoked.status_code == 204
    key = StreamKey.objects.get()
    assert key.revoked_at is not None
    assert key.key_hash == services.hash_stream_key(rotated.json()["secret"])


def test_api_viewer_is_refused_and_nothing_created(api_client, viewer) -> None:
    api_client.force_authenticate(viewer)
    response = api_client.post("/api/v1/live/keys/", {"name": "A"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert StreamKey.objects.count() == 0


def test_api_anonymous_is_refused(api_client) -> None:
    response = api_client.get("/api/v1/live/keys/")
    assert response.status_code in (401, 403)


def test_api_other_users_key_is_not_found(api_client, reporter) -> None:
    # given
    other = UserFactory(roles=["reporter"])
    key, _secret = services.stream_key_create(user=other, name="Theirs")
    api_client.force_authenticate(reporter)

    # when
    response = api_client.delete(f"/api/v1/live/keys/{key.pk}/")

    # then
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_profile_page_shows_section_and_creates_key_with_htmx(client, reporter) -> None:
    # given
    client.force_login(reporter)

    # when
    page = client.get(reverse("profile"))
    created = client.post(
        reverse("ingest:key-create"), {"name": "My phone"}, headers={"HX-Request": "true"}
    )

    # then
    assert page.status_code == 200
    assert 'id="stream-keys"' in page.content.decode()
    assert created.status_code == 200
    body = created.content.decode()
    key = StreamKey.objects.get()
    assert "My phone" in body
    assert 'data-testid="new-stream-key"' in body
    assert key.prefix in body
    assert "rtmp://testserver:1935/live/fck_" in body
    assert "/live/srt/" in body


def test_profile_page_of_a_viewer_has_no_stream_keys(client, viewer) -> None:
    client.force_login(viewer)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert 'id="stream-keys"' not in page.content.decode()


def test_revoke_from_the_page(client, reporter) -> None:
    # given
    key, _secret = services.stream_key_create(user=reporter, name="Old phone")
    client.force_login(reporter)

    # when
    response = client.post(reverse("ingest:key-revoke", args=[key.pk]))

    # then
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
