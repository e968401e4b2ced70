"""The notifications page: every kind reads as a sentence; preferences and mark-read work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import timezone

from community.assignments import services as assignment_services
from community.comments import services as comment_services
from community.likes import services as like_services
from community.models import Notification, NotificationKind, NotificationMute
from community.stories import services as story_services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_lists_each_kind_and_the_bell_counts_them(editor):
    # given a reporter in Lagos who follows a story, owns a video and gets a like and a comment
    reporter = UserFactory(roles=["reporter"], city="Lagos", display_name="Rita Reporter")
    fan = UserFactory(display_name="Fan Fola")
    video = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="Clip A"
    )
    story = story_services.story_create(user=editor, title="Flood week")
    story_services.story_follow(user=reporter, story_id=story.pk)
    comment_services.comment_create(user=fan, video_id=video.pk, body="hi @Rita Reporter")
    like_services.video_like(user=fan, video_id=video.pk)
    story_services.story_add_update(user=editor, story_id=story.pk, text="Day two")
    now = timezone.now()
    assignment_services.assignment_publish(
        user=editor,
        title="Market fire",
        brief="b",
        city="Lagos",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )

    # when
    html = _client(reporter).get("/community/notifications/").content.decode()

    # then
    assert html.count('data-testid="notification"') == 4
    assert "Fan Fola commented on “Clip A”" in html
    assert "Fan Fola liked “Clip A”" in html
    assert "New on the story “Flood week”" in html
    assert "New assignment in Lagos: “Market fire”" in html
    assert 'data-testid="bell-count">4</span>' in html


def test_mark_read_and_switch_a_kind_off(reporter):
    # given
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    comment_services.comment_create(user=UserFactory(), video_id=video.pk, body="one")
    client = _client(reporter)

    # when
    client.post("/community/notifications/", {"action": "read"})
    client.post(
        "/community/notifications/",
        {"action": "preferences", "kinds": ["video_liked", "mention"]},
    )

    # then
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert set(NotificationMute.objects.values_list("kind", flat=True)) == set(
        NotificationKind.values
    ) - {"video_liked", "mention"}
    assert set(NotificationMute.objects.values_list("channel", flat=True)) == {"app"}


def test_preferences_block_for_the_profile_posts_back_to_where_it_was(reporter):
    # given a page that includes the block
    request = RequestFactory().get("/accounts/profile/")
    request.user = reporter
    html = (
        engines["django"]
        .from_string('{% include "community/_preferences.html" %}')
        .render({}, request)
    )
    client = _client(reporter)

    # when the person unticks everything but mentions, from the profile
    response = client.post(
        "/community/notifications/",
        {"action": "preferences", "kinds": ["mention"], "next": "/accounts/profile/"},
    )
    evil = client.post(
        "/community/notifications/",
        {"action": "preferences", "kinds": ["mention"], "next": "https://evil.example/"},
    )

    # then
    assert (
        'name="kinds" value="mention" aria-label="Someone mentioned you in a comment in the app" checked'
        in html
    )
    assert 'name="next" value="/accounts/profile/"' in html
    assert response["Location"] == "/accounts/profile/"
    assert evil["Location"] == "/community/notifications/"
    assert NotificationMute.objects.filter(user=reporter).count() == len(NotificationKind) - 1
