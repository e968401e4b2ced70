"""A video that reaches review gets its automatic checks queued after the commit."""

from __future__ import annotations

import pytest

from fieldcast.videos import services as video_services
from fieldcast.videos.services import processing as video_processing
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def test_processing_success_queues_the_moderation_checks(
    monkeypatch, django_capture_on_commit_callbacks
):
    # given
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        video_processing.current_app, "send_task", lambda name, args: sent.append((name, args))
    )
    video = VideoFactory(state="processing")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        video_services.video_processing_succeed(
            video_id=video.pk,
            version=1,
            output_prefix="videos/x/v1/",
            renditions=[],
            poster_key="",
            thumbnails_key="",
            download_key="",
            probe={},
        )
    # then
    assert sent == [("moderation.tasks.run_automatic_checks", [video.pk])]
