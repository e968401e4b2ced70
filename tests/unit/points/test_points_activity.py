"""The activity trail: one cheap insert per happening (upload, live, comment, view, login, like),
recorded by the services that perform them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.audience import services as audience_services
from community.comments import services as comment_services
from community.likes import services as like_services
from fieldcast.core.errors import ValidationFailed
from fieldcast.points.models import Activity
from fieldcast.points.services import activities_record, activity_record
from fieldcast.videos import services as video_services
from fieldcast.videos.models import Video
from ingest import services as ingest_services
from ingest.models import LiveSource
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _trail() -> list[tuple[int | None, str, str]]:
    return list(Activity.objects.order_by("pk").values_list("user_id", "kind", "obj_ref"))


def test_record_is_one_insert_with_the_local_day(reporter):
    # given
    video = VideoFactory(owner=reporter)

    # when
    with CaptureQueriesContext(connection) as queries:
        row = activity_record(user=reporter, kind="upload", obj=video)

    # then one statement, an INSERT, wrote it
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert _trail() == [(reporter.pk, "upload", f"video:{video.pk}")]
    assert row.day == timezone.localdate()


def test_anonymous_views_and_user_ids_are_recorded():
    # given
    person = UserFactory()

    # when
    activity_record(user=AnonymousUser(), kind="view", obj="video:7")
    activity_record(user=person.pk, kind="view", obj="video:7")

    # then
    assert _trail() == [(None, "view", "video:7"), (person.pk, "view", "video:7")]


def test_unknown_kind_is_refused_and_nothing_written(reporter):
    # when
    with pytest.raises(ValidationFailed) as refused:
        activity_record(user=reporter, kind="dance", obj=None)

    # then
    assert refused.value.code == "unknown_activity"
    assert Activity.objects.count() == 0


def test_bulk_record_is_one_statement(reporter, viewer):
    # when
    with CaptureQueriesContext(connection) as queries:
        count = activities_record(
            rows=[(reporter, "login", None), (viewer, "view", "video:1"), (None, "view", "x")]
        )

    # then
    assert count == 3
    assert len(queries.captured_queries) == 1
    assert [kind for _user, kind, _ref in _trail()] == ["login", "view", "view"]


def test_the_trail_is_append_only(reporter):
    # given
    row = activity_record(user=reporter, kind="login", obj=None)

    # when / then
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        Activity.objects.all().delete()
    assert Activity.objects.count() == 1


def test_comment_like_and_view_are_recorded_by_community(viewer):
    # given a published video
    video = VideoFactory(state="published", published_at=timezone.now())

    # when a viewer watches (twice in one window), comments and likes it
    audience_services.view_record(video=video, viewer=f"u{viewer.pk}")
    audience_services.view_record(video=video, viewer=f"u{viewer.pk}")
    audience_services.view_record(video=video, viewer="a0123456789")
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="Thanks!")
    like_services.video_like(user=viewer, video_id=video.pk)

    # then one row per counted view, the comment and the like
    assert _trail() == [
        (viewer.pk, "view", f"video:{video.pk}"),
        (None, "view", f"video:{video.pk}"),
        (viewer.pk, "comment", f"comment:{comment.pk}"),
        (viewer.pk, "like", f"video:{video.pk}"),
    ]


def test_login_is_recorded(client):
    # given
    person = UserFactory(email="ada@example.org")

    # when (force_login: the login limiter needs the request that Client.login does not pass)
    client.force_login(person)

    # then
    assert _trail() == [(person.pk, "login", "")]


def test_finished_upload_is_recorded(reporter):
    # given a tus upload that has all its bytes
    upload = video_services.upload_create(
        user=reporter, length=2048, metadata={"filename": "clip.mp4", "title": "Bridge"}
    )
    upload, token = video_services.upload_acquire(upload_id=upload.pk, user=reporter, offset=0)
    assert Activity.objects.count() == 0

    # when the upload completes
    video_services.upload_complete(upload_id=upload.pk, token=token)

    # then the finished upload is one "upload" activity
    video = Video.objects.get(owner=reporter)
    assert video.state == "uploaded"
    assert _trail() == [(reporter.pk, "upload", f"video:{video.pk}")]


def test_going_live_is_recorded():
    # given a source whose first frame arrives
    reporter = UserFactory(roles=["reporter"])
    source = LiveSource.objects.create(
        reporter=reporter, title="Rally", protocol="whip", session_id="s1"
    )

    # when
    ingest_services.source_mark_live(source_id=source.pk, session_id="s1")
    ingest_services.source_mark_live(source_id=source.pk, session_id="s1")

    # then once
    assert _trail() == [(reporter.pk, "live", f"livesource:{source.pk}")]


def test_deleting_a_person_deletes_their_trail(reporter, viewer):
    # given both have activity
    activity_record(user=reporter, kind="login", obj=None)
    activity_record(user=viewer, kind="login", obj=None)

    # when the viewer's account is deleted
    viewer.delete()

    # then only the reporter's trail remains
    assert _trail() == [(reporter.pk, "login", "")]
