"""The live source state machine: publish, reconnect within the grace period, editor decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldcast.core.errors import NotFound, PermissionDenied
from ingest import services
from ingest.models import LiveSource, SourceState

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(reporter) -> str:
    _key, secret = services.stream_key_create(user=reporter, name="Phone", assignment_ref="A-1")
    return secret


def test_first_publish_creates_a_connecting_source(reporter, secret) -> None:
    # when
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")

    # then
    source = LiveSource.objects.get()
    assert grant.source_id == source.pk
    assert grant.resumed is False
    assert grant.replaced_session == ""
    assert source.state == SourceState.CONNECTING
    assert source.reporter == reporter
    assert (source.title, source.assignment_ref, source.protocol) == ("Phone", "A-1", "whip")
    assert (source.session_id, source.connected, source.connection_count) == ("s1", True, 1)


def test_first_frame_makes_it_live(secret) -> None:
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    source = services.source_mark_live(source_id=grant.source_id, session_id="s1")
    assert source.state == SourceState.LIVE
    assert source.live_at is not None


def test_reconnect_within_grace_continues_the_same_source(secret) -> None:
    # given a live source whose connection dropped
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")
    services.source_disconnected(source_id=grant.source_id, session_id="s1")

    # when the same key publishes again
    again = services.source_publish_start(secret=secret, protocol="whip", session_id="s2")

    # then it is the same source, live, on the new session
    assert again.source_id == grant.source_id
    assert again.resumed is True
    source = LiveSource.objects.get()
    assert (source.state, source.session_id, source.connection_count) == ("live", "s2", 2)
    assert source.connected is True
    assert source.disconnected_at is None


def test_reconnect_after_grace_ends_the_old_source_and_starts_a_new_one(secret, settings) -> None:
    # given a source dropped longer ago than the grace period
    settings.LIVE_RECONNECT_GRACE_SECONDS = 10
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")
    services.source_disconnected(source_id=grant.source_id, session_id="s1")
    LiveSource.objects.filter(pk=grant.source_id).update(
        disconnected_at=timezone.now() - timedelta(seconds=11)
    )

    # when
    again = services.source_publish_start(secret=secret, protocol="whip", session_id="s2")

    # then
    assert again.source_id != grant.source_id
    old = LiveSource.objects.get(pk=grant.source_id)
    assert old.state == SourceState.ENDED
    assert LiveSource.objects.get(pk=again.source_id).state == SourceState.CONNECTING


def test_second_concurrent_publish_replaces_the_first_session(secret) -> None:
    # given a source whose first session is still connected
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")

    # when a second publish with the same key arrives
    second = services.source_publish_start(secret=secret, protocol="whip", session_id="s2")

    # then it takes over the same source and names the session to close
    assert second.source_id == grant.source_id
    assert second.replaced_session == "s1"
    assert LiveSource.objects.get().session_id == "s2"


def test_replaced_session_cannot_end_or_drop_the_source(secret) -> None:
    # given s2 replaced s1
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")
    services.source_publish_start(secret=secret, protocol="whip", session_id="s2")

    # when the old session reports its end
    services.source_disconnected(source_id=grant.source_id, session_id="s1")
    with pytest.raises(NotFound):
        services.source_end(source_id=grant.source_id, session_id="s1")

    # then nothing changed
    source = LiveSource.objects.get()
    assert (source.state, source.connected, source.session_id) == ("live", True, "s2")


def test_abandoned_source_ends_after_grace(secret, settings) -> None:
    settings.LIVE_RECONNECT_GRACE_SECONDS = 5
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")
    services.source_disconnected(source_id=grant.source_id, session_id="s1")

    # within grace nothing happens
    assert services.source_end_if_abandoned(source_id=grant.source_id).state == "live"

    # after grace the source ends
    LiveSource.objects.filter(pk=grant.source_id).update(
        disconnected_at=timezone.now() - timedelta(seconds=6)
    )
    source = services.source_end_if_abandoned(source_id=grant.source_id)
    assert source.state == SourceState.ENDED
    assert source.ended_at is not None


def test_editor_approves_then_rejects(secret, editor) -> None:
    # given
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")

    # when
    approved = services.source_decide(source_key=grant.source_key, editor=editor, action="approve")
    rejected = services.source_decide(
        source_key=grant.source_key, editor=editor, action="reject", reason="Blurry"
    )

    # then
    assert approved.state == SourceState.APPROVED
    assert rejected.state == SourceState.REJECTED
    assert (rejected.state_reason, rejected.decided_by, rejected.connected) == (
        "Blurry",
        editor,
        False,
    )


def test_reporter_cannot_decide(secret, reporter) -> None:
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    with pytest.raises(PermissionDenied):
        services.source_decide(source_key=grant.source_key, editor=reporter, action="approve")
    assert LiveSource.objects.get().state == SourceState.CONNECTING


def test_finished_source_cannot_be_approved(secret, editor) -> None:
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_end(source_id=grant.source_id, session_id="s1")
    with pytest.raises(services.InvalidSourceTransition):
        services.source_decide(source_key=grant.source_key, editor=editor, action="approve")
    assert LiveSource.objects.get().state == SourceState.ENDED


def test_publish_right_after_a_reject_is_refused(secret, editor) -> None:
    # given an editor rejected the key's source
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_decide(source_key=grant.source_key, editor=editor, action="kill")

    # when the phone reconnects automatically
    with pytest.raises(PermissionDenied) as error:
        services.source_publish_start(secret=secret, protocol="whip", session_id="s2")

    # then it is refused and no new source appears
    assert error.value.code == "source_stopped_by_editor"
    assert LiveSource.objects.count() == 1


def test_on_air_and_back(secret, editor) -> None:
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    services.source_mark_live(source_id=grant.source_id, session_id="s1")
    services.source_decide(source_key=grant.source_key, editor=editor, action="approve")
    on = services.source_set_on_air(source_key=grant.source_key, operator=editor, on_air=True)
    off = services.source_set_on_air(source_key=grant.source_key, operator=editor, on_air=False)
    assert (on.state, off.state) == ("on_air", "live")


def test_sources_whose_ingest_stopped_beating_are_ended(secret, reporter, settings) -> None:
    # given one source beating recently and one whose ingest died long ago
    settings.LIVE_RECONNECT_GRACE_SECONDS = 10
    _key, other_secret = services.stream_key_create(user=reporter, name="Other")
    alive = services.source_publish_start(secret=secret, protocol="whip", session_id="a")
    dead = services.source_publish_start(secret=other_secret, protocol="rtmp", session_id="d")
    long_ago = timezone.now() - timedelta(minutes=5)
    LiveSource.objects.filter(pk__in=[alive.source_id, dead.source_id]).update(created_at=long_ago)
    services.source_store_stats(source_id=alive.source_id, stats={"fps": 15})
    LiveSource.objects.filter(pk=dead.source_id).update(heartbeat_at=long_ago)

    # when
    ended = services.sources_end_stale()

    # then only the dead one ended, with a reason
    assert ended == 1
    assert LiveSource.objects.get(pk=alive.source_id).state == SourceState.CONNECTING
    dead_source = LiveSource.objects.get(pk=dead.source_id)
    assert dead_source.state == SourceState.ENDED
    assert dead_source.state_reason == "The live ingest lost this stream."
