"""Stream keys: create, rename, rotate, revoke; stored hashed, shown once."""

from __future__ import annotations

import pytest

from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ingest import services
from ingest.models import LiveSource, StreamKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_hash_and_returns_the_secret_once(reporter) -> None:
    # when
    key, secret = services.stream_key_create(user=reporter, name="Pixel 8", assignment_ref="A-12")

    # then
    stored = StreamKey.objects.get(pk=key.pk)
    assert secret.startswith("fck_")
    assert stored.key_hash == services.hash_stream_key(secret)
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.prefix == secret[:10]
    assert stored.name == "Pixel 8"
    assert stored.assignment_ref == "A-12"
    assert stored.revoked_at is None


def test_viewer_cannot_create_a_key(viewer) -> None:
    # when / then
    with pytest.raises(PermissionDenied):
        services.stream_key_create(user=viewer, name="Phone")
    assert StreamKey.objects.count() == 0


def test_blank_name_is_refused(reporter) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.stream_key_create(user=reporter, name="   ")
    assert "name" in error.value.fields
    assert StreamKey.objects.count() == 0


def test_rename_and_change_assignment(reporter) -> None:
    # given
    key, _secret = services.stream_key_create(user=reporter, name="Old")

    # when
    services.stream_key_update(user=reporter, key_id=key.pk, name="New", assignment_ref="B-1")

    # then
    key.refresh_from_db()
    assert (key.name, key.assignment_ref) == ("New", "B-1")


def test_rotate_replaces_the_secret(reporter) -> None:
    # given
    key, old_secret = services.stream_key_create(user=reporter, name="Phone")

    # when
    _key, new_secret = services.stream_key_rotate(user=reporter, key_id=key.pk)

    # then the old secret no longer publishes, the new one does
    assert new_secret != old_secret
    with pytest.raises(NotAuthenticated):
        services.source_publish_start(secret=old_secret, protocol="whip", session_id="s1")
    grant = services.source_publish_start(secret=new_secret, protocol="whip", session_id="s2")
    assert grant.source.reporter == reporter


def test_revoked_key_is_refused_with_403_and_no_source(reporter) -> None:
    # given
    key, secret = services.stream_key_create(user=reporter, name="Phone")
    services.stream_key_revoke(user=reporter, key_id=key.pk)

    # when / then
    with pytest.raises(PermissionDenied) as error:
        services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    assert error.value.code == "stream_key_revoked"
    assert LiveSource.objects.count() == 0


def test_revoking_twice_is_a_conflict(reporter) -> None:
    key, _secret = services.stream_key_create(user=reporter, name="Phone")
    services.stream_key_revoke(user=reporter, key_id=key.pk)
    with pytest.raises(Conflict):
        services.stream_key_revoke(user=reporter, key_id=key.pk)


def test_someone_elses_key_is_not_found(reporter) -> None:
    # given
    other = UserFactory(roles=["reporter"])
    key, _secret = services.stream_key_create(user=other, name="Theirs")

    # when / then
    for call in (
        lambda: services.stream_key_revoke(user=reporter, key_id=key.pk),
        lambda: services.stream_key_rotate(user=reporter, key_id=key.pk),
        lambda: services.stream_key_update(user=reporter, key_id=key.pk, name="Mine"),
    ):
        with pytest.raises(NotFound):
            call()
    key.refresh_from_db()
    assert (key.name, key.revoked_at, key.rotated_at) == ("Theirs", None, None)
