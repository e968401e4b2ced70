"""WHIP DELETE with several ingest nodes: the node that gets the DELETE may not hold the session.

The decision (docs/live-ingest.md): such a node ends the source in the database (with the same
checks as the node holding it); the holding node sees the state at its next check, within a
second, hangs up and hands the recording over. No node needs to know where a session lives.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from ingest import services, views
from ingest.media.registry import LiveIngest, live_ingest
from ingest.models import LiveSource, SourceState
from tests.factories import UserFactory
from tests.integration.ingest.conftest import Publisher, publish, wait_async, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _live_source() -> LiveSource | None:
    return LiveSource.objects.filter(state=SourceState.LIVE).first()


def test_delete_reaching_another_node_ends_the_source_there_and_makes_one_video(
    live_settings, stream_secret, enqueued, monkeypatch
) -> None:
    async def scenario() -> tuple[int, int, int, bool]:
        # given a publisher live on this node
        client = AsyncClient()
        publisher = Publisher()
        response = await publish(client, stream_secret, publisher)
        await wait_for(_live_source)
        holder = live_ingest()
        # when its DELETE reaches another node (its own registry, without the session)
        other_node = LiveIngest()
        monkeypatch.setattr(views, "live_ingest", lambda: other_node)
        deleted = await client.delete(
            response["Location"], headers={"Authorization": f"Bearer {stream_secret}"}
        )
        # then the holding node hangs up by itself and hands the recording over
        await wait_async(lambda: not holder.sessions and not holder.runtimes, within=10)
        await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists())
        await publisher.close()
        return deleted.status_code, len(holder.sessions), len(other_node.sessions), True

    status, holder_sessions, other_sessions, _ = async_to_sync(scenario)()

    assert (status, holder_sessions, other_sessions) == (200, 0, 0)
    source = LiveSource.objects.get()
    assert source.state == SourceState.ENDED
    assert enqueued == [source.video_id]


def test_delete_on_another_node_checks_the_key_and_the_session(
    live_settings, stream_secret, monkeypatch
) -> None:
    other = UserFactory(roles=["reporter"])
    _key, other_secret = services.stream_key_create(user=other, name="Theirs")

    async def scenario() -> tuple[int, int, int, int]:
        client = AsyncClient()
        publisher = Publisher()
        response = await publish(client, stream_secret, publisher)
        await wait_for(_live_source)
        monkeypatch.setattr(views, "live_ingest", LiveIngest)
        location = response["Location"]
        theirs = await client.delete(location, headers={"Authorization": f"Bearer {other_secret}"})
        wrong = await client.delete(location, headers={"Authorization": "Bearer fck_nope"})
        unknown = await client.delete(
            "/live/whip/0000/", headers={"Authorization": f"Bearer {stream_secret}"}
        )
        none = await client.delete(location)
        sessions = len(live_ingest().sessions)
        await publisher.close()
        return (
            theirs.status_code,
            wrong.status_code,
            unknown.status_code,
            none.status_code,
            sessions,
        )

    theirs, wrong, unknown, none, sessions = async_to_sync(scenario)()

    # then each is refused with its own answer and the source goes on
    assert (theirs, wrong, unknown, none) == (403, 401, 404, 401)
    assert sessions == 1
    source = LiveSource.objects.get()
    assert (source.state, source.connected) == (SourceState.LIVE, True)
