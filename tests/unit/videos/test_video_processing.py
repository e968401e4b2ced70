"""The services the transcode task calls: start, progress, succeed, fail."""

from __future__ import annotations

import pytest

from fieldcast.core import events
from fieldcast.videos import services
from fieldcast.videos.models import Video
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db

PROBE = {
    "duration_seconds": 3.0,
    "width": 320,
    "height": 240,
    "frame_rate": 25.0,
    "capture_metadata": {"com.apple.quicktime.location.ISO6709": "+06.45+003.39/"},
}
RENDITIONS = [
    {
        "name": "240p",
        "height": 240,
        "width": 320,
        "bandwidth": 400000,
        "playlist": "240p/index.m3u8",
    }
]


_sent: list[tuple[str, dict]] = []


@pytest.fixture(autouse=True)
def published(monkeypatch) -> list[tuple[str, dict]]:
    """Every event the services publish (after commit), whichever mode carries it."""
    _sent.clear()
    monkeypatch.setattr(events, "publish", lambda *, group, event: _sent.append((group, event)))
    return _sent


def _events() -> list[dict]:
    return [event for _group, event in _sent]


def test_processing_start_moves_uploaded_video_to_processing(django_capture_on_commit_callbacks):
    # given
    video = VideoFactory(state="uploaded", progress=40)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = services.video_processing_start(video_id=video.pk)
    # then
    video.refresh_from_db()
    assert (video.state, video.progress) == ("processing", 0)
    assert result.pk == video.pk
    assert _events() == [
        {
            "type": "video.state",
            "video_id": video.pk,
            "state": "processing",
            "state_label": "Processing",
            "reason": "",
            "progress": 0,
        }
    ]


def test_processing_start_is_idempotent_for_a_retried_task():
    # given
    video = VideoFactory(state="processing", progress=55)
    # when
    services.video_processing_start(video_id=video.pk)
    # then
    video.refresh_from_db()
    assert (video.state, video.progress) == ("processing", 0)


@pytest.mark.parametrize("state", ["uploading", "pending_review", "published", "failed"])
def test_processing_start_refuses_other_states(state):
    # given
    video = VideoFactory(state=state)
    # when / then
    with pytest.raises(services.InvalidVideoTransition):
        services.video_processing_start(video_id=video.pk)
    video.refresh_from_db()
    assert video.state == state


def test_processing_progress_stores_percent_and_tells_the_owner(
    django_capture_on_commit_callbacks, published
):
    # given
    video = VideoFactory(state="processing")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.video_processing_progress(video_id=video.pk, percent=42)
    # then
    video.refresh_from_db()
    assert video.progress == 42
    assert _events() == [{"type": "video.progress", "video_id": video.pk, "percent": 42}]
    assert [group for group, _event in published] == [f"user.{video.owner_id}"]


def test_processing_progress_ignored_when_not_processing(django_capture_on_commit_callbacks):
    # given
    video = VideoFactory(state="failed", progress=10)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.video_processing_progress(video_id=video.pk, percent=90)
    # then
    video.refresh_from_db()
    assert video.progress == 10
    assert _events() == []


def test_processing_succeed_stores_outputs_and_waits_for_review(
    django_capture_on_commit_callbacks,
):
    # given
    video = VideoFactory(state="processing")
    prefix = f"videos/{video.key}/v1/"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.video_processing_succeed(
            video_id=video.pk,
            version=1,
            output_prefix=prefix,
            renditions=RENDITIONS,
            poster_key=prefix + "poster.jpg",
            thumbnails_key=prefix + "thumbnails.jpg",
            download_key=prefix + "download.mp4",
            probe=PROBE,
        )
    # then
    video = Video.objects.get(pk=video.pk)
    assert video.state == "pending_review"
    assert video.progress == 100
    assert (video.version, video.output_prefix, video.renditions) == (1, prefix, RENDITIONS)
    assert video.poster_key == prefix + "poster.jpg"
    assert video.download_key == prefix + "download.mp4"
    assert (video.duration_seconds, video.width, video.height, video.frame_rate) == (
        3.0,
        320,
        240,
        25.0,
    )
    assert video.capture_metadata == PROBE["capture_metadata"]
    assert _events()[-1]["state"] == "pending_review"


def test_processing_succeed_refuses_a_video_not_processing():
    # given
    video = VideoFactory(state="uploaded")
    # when / then
    with pytest.raises(services.InvalidVideoTransition):
        services.video_processing_succeed(
            video_id=video.pk,
            version=1,
            output_prefix="x/",
            renditions=RENDITIONS,
            poster_key="x/poster.jpg",
            thumbnails_key="x/thumbnails.jpg",
            download_key="x/download.mp4",
            probe=PROBE,
        )
    video.refresh_from_db()
    assert (video.state, video.output_prefix, video.renditions) == ("uploaded", "", [])


@pytest.mark.parametrize("state", ["uploaded", "processing"])
def test_processing_fail_keeps_the_readable_reason(state, django_capture_on_commit_callbacks):
    # given
    video = VideoFactory(state=state)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.video_processing_fail(video_id=video.pk, reason="This file is not a video.")
    # then
    video.refresh_from_db()
    assert (video.state, video.state_reason) == ("failed", "This file is not a video.")
    assert _events()[-1]["reason"] == "This file is not a video."


def test_processing_fail_refuses_a_published_video():
    # given
    video = VideoFactory(state="published")
    # when / then
    with pytest.raises(services.InvalidVideoTransition):
        services.video_processing_fail(video_id=video.pk, reason="late failure")
    video.refresh_from_db()
    assert (video.state, video.state_reason) == ("published", "")
