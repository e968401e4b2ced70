"""The community API: same rules as the pages, one error shape."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from community.comments import services
from community.models import Comment, Follow, Notification, NotificationKind, VideoLike
from fieldcast.videos.models import Video
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(reporter):
    return VideoFactory(owner=reporter, state="published", published_at=timezone.now())


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_post_and_list_comments_with_replies(video, viewer):
    # given
    client = _client(viewer)

    # when
    top = client.post(
        f"/api/v1/community/videos/{video.pk}/comments/",
        {"body": "see https://example.org <b>x</b>"},
        format="json",
    )
    reply = client.post(
        f"/api/v1/community/videos/{video.pk}/comments/",
        {"body": "a reply", "parent": top.json()["id"]},
        format="json",
    )
    listing = APIClient().get(f"/api/v1/community/videos/{video.pk}/comments/")

    # then
    assert top.status_code == 201
    assert reply.status_code == 201
    body = listing.json()
    assert (body["mode"], body["has_more"], body["video_likes"]) == ("open", False, 0)
    [first] = body["results"]
    assert first["body"] == "see https://example.org <b>x</b>"
    assert first["html"] == (
        'see <a href="https://example.org" rel="nofollow ugc">https://example.org</a> '
        "&lt;b&gt;x&lt;/b&gt;"
    )
    assert [r["body"] for r in first["replies"]] == ["a reply"]


def test_ten_thousand_characters_are_refused_in_the_error_shape(video, viewer):
    # when
    response = _client(viewer).post(
        f"/api/v1/community/videos/{video.pk}/comments/", {"body": "y" * 10_000}, format="json"
    )

    # then
    assert response.status_code == 400
    message = "A comment can be at most 5000 characters; this one has 10000."
    assert response.json() == {
        "error": {"code": "too_long", "message": message, "fields": {"body": [message]}}
    }
    assert Comment.objects.count() == 0


def test_comment_on_unpublished_video_is_404(reporter, viewer):
    # given
    video = VideoFactory(owner=reporter, state="pending_review")

    # when
    response = _client(viewer).post(
        f"/api/v1/community/videos/{video.pk}/comments/", {"body": "hi"}, format="json"
    )
    listing = _client(viewer).get(f"/api/v1/community/videos/{video.pk}/comments/")

    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert listing.status_code == 404
    assert Comment.objects.count() == 0


def test_anonymous_comment_is_401(video):
    response = APIClient().post(
        f"/api/v1/community/videos/{video.pk}/comments/", {"body": "hi"}, format="json"
    )
    assert response.status_code == 401
    assert Comment.objects.count() == 0


def test_edit_delete_and_editor_remove(video, viewer, editor):
    # given
    comment = services.comment_create(user=viewer, video_id=video.pk, body="first")
    other = services.comment_create(user=viewer, video_id=video.pk, body="second")

    # when
    edited = _client(viewer).patch(
        f"/api/v1/community/comments/{comment.pk}/", {"body": "first!"}, format="json"
    )
    deleted = _client(viewer).delete(f"/api/v1/community/comments/{comment.pk}/")
    refused = _client(viewer).post(f"/api/v1/community/comments/{other.pk}/remove/")
    removed = _client(editor).post(
        f"/api/v1/community/comments/{other.pk}/remove/", {"reason": "off topic"}, format="json"
    )

    # then
    assert edited.json()["body"] == "first!"
    assert deleted.status_code == 204
    assert refused.status_code == 403
    assert removed.json()["state"] == "removed"
    assert removed.json()["body"] == ""
    assert dict(Comment.objects.values_list("pk", "state")) == {
        comment.pk: "deleted",
        other.pk: "removed",
    }


def test_like_twice_is_409_and_follow_yourself_is_400(video, viewer, reporter):
    # when
    first = _client(viewer).post(f"/api/v1/community/videos/{video.pk}/like/")
    second = _client(viewer).post(f"/api/v1/community/videos/{video.pk}/like/")
    self_follow = _client(reporter).post(f"/api/v1/community/reporters/{reporter.pk}/follow/")
    follow = _client(viewer).post(f"/api/v1/community/reporters/{reporter.pk}/follow/")

    # then
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["error"] == {
        "code": "already_liked",
        "message": "You already like this video.",
        "fields": {},
    }
    assert self_follow.status_code == 400
    assert self_follow.json()["error"]["message"] == "You cannot follow yourself."
    assert follow.json() == {"followers": 1}
    assert VideoLike.objects.count() == 1
    assert list(Follow.objects.values_list("follower_id", flat=True)) == [viewer.pk]


def test_view_endpoint_counts_once_per_viewer(video, viewer):
    # when
    first = _client(viewer).post(f"/api/v1/community/videos/{video.pk}/view/")
    second = _client(viewer).post(f"/api/v1/community/videos/{video.pk}/view/")

    # then
    assert (first.json(), second.json()) == ({"counted": True}, {"counted": False})
    assert Video.objects.get(pk=video.pk).view_count == 1


def test_notifications_list_read_and_preferences(video, viewer):
    # given
    services.comment_create(user=viewer, video_id=video.pk, body="nice")
    owner = _client(video.owner)

    # when
    listing = owner.get("/api/v1/community/notifications/")
    unread = owner.get("/api/v1/community/notifications/unread/")
    marked = owner.post("/api/v1/community/notifications/read/", {}, format="json")
    prefs = owner.put(
        "/api/v1/community/notifications/preferences/", {"video_liked": False}, format="json"
    )

    # then
    assert listing.json()["unread"] == 1
    assert unread.json() == {"unread": 1}
    assert [(n["kind"], n["actor_name"], n["read"]) for n in listing.json()["results"]] == [
        ("video_commented", viewer.public_name, False)
    ]
    assert marked.json() == {"marked": 1}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert prefs.json() == {kind: kind != "video_liked" for kind in NotificationKind.values}
