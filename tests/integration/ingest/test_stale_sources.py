"""Sources whose ingest died are ended by a periodic task, not only when an editor looks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fieldcast.celery_app import app
from ingest import services, tasks
from ingest.models import LiveSource, SourceState

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_stale_source_check_is_scheduled_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["ingest-end-stale-sources"]

    app.loader.import_default_modules()

    assert entry["task"] == "ingest.sources_end_stale"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60


def test_the_periodic_task_ends_sources_whose_ingest_stopped_beating(reporter) -> None:
    # given a source whose ingest stopped beating five minutes ago, and one beating now
    _key, dead_secret = services.stream_key_create(user=reporter, name="Dead")
    _key, alive_secret = services.stream_key_create(user=reporter, name="Alive")
    dead = services.source_publish_start(secret=dead_secret, protocol="srt", session_id="d")
    alive = services.source_publish_start(secret=alive_secret, protocol="whip", session_id="a")
    long_ago = timezone.now() - timedelta(minutes=5)
    LiveSource.objects.filter(pk__in=[dead.source_id, alive.source_id]).update(
        created_at=long_ago, heartbeat_at=long_ago
    )
    services.source_store_stats(source_id=alive.source_id, stats={"fps": 15})

    # when beat runs the task
    ended = tasks.sources_end_stale.apply().get()

    # then only the dead one ended, with a reason; running it again changes nothing
    assert ended == 1
    assert LiveSource.objects.get(pk=dead.source_id).state == SourceState.ENDED
    assert LiveSource.objects.get(pk=alive.source_id).state == SourceState.CONNECTING
    assert tasks.sources_end_stale.apply().get() == 0
