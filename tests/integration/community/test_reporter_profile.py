"""Reporter profile pages: published work, tier badge, followers and follow button, stories."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from community.models import Follow
from community.stories import services
from fieldcast.points.models import PointsAccount, Tier
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _published(owner, **fields):
    fields.setdefault("published_at", timezone.now())
    return VideoFactory(owner=owner, state="published", **fields)


def test_others_see_published_work_tier_followers_and_stories(editor):
    # given
    reporter = UserFactory(roles=["reporter"], display_name="Mei Chen", bio="Harbour beat")
    PointsAccount.objects.create(user=reporter, total=420, tier=Tier.TRUSTED)
    clip = _published(reporter, title="Typhoon landfall")
    VideoFactory(owner=reporter, state="pending_review", title="Draft pending")
    VideoFactory(owner=reporter, state="rejected", title="Shaky rejected")
    story = services.story_create(user=editor, title="Typhoon Haikui")
    services.story_add_video(user=editor, story_id=story.pk, video_id=clip.pk)
    for _ in range(3):
        Follow.objects.create(follower=UserFactory(), reporter=reporter)

    # when
    html = _client().get(f"/reporters/{reporter.pk}/").content.decode()

    # then
    assert "Mei Chen" in html
    assert "Harbour beat" in html
    assert 'data-testid="reporter-tier">Trusted reporter<' in html
    assert "3 followers" in html
    assert "Typhoon landfall" in html
    assert "Draft pending" not in html
    assert "Shaky rejected" not in html
    stories = html[html.index('data-testid="reporter-stories"') :]
    assert f'href="/community/stories/{story.pk}/"' in stories
    assert "1 video" in stories


def test_the_reporter_sees_their_own_unpublished_work():
    # given
    reporter = UserFactory(roles=["reporter"])
    _published(reporter, title="Out there")
    VideoFactory(owner=reporter, state="pending_review", title="Waiting for an editor")

    # when
    html = _client(reporter).get(f"/reporters/{reporter.pk}/").content.decode()

    # then
    assert "Out there" in html
    assert "Waiting for an editor" in html
    assert 'data-testid="follow"' not in html


def test_a_viewer_follows_and_unfollows_from_the_profile():
    # given
    reporter = UserFactory(roles=["reporter"])
    viewer = UserFactory()
    client = _client(viewer)

    # when
    followed = client.post(f"/reporters/{reporter.pk}/follow/")
    after_follow = client.get(f"/reporters/{reporter.pk}/").content.decode()
    unfollowed = client.post(f"/reporters/{reporter.pk}/unfollow/")

    # then
    assert followed.status_code == 302
    assert followed["Location"] == f"/reporters/{reporter.pk}/"
    assert 'data-testid="unfollow"' in after_follow
    assert "1 follower" in after_follow
    assert unfollowed.status_code == 302
    assert not Follow.objects.exists()


def test_following_yourself_from_the_profile_is_refused_and_nothing_is_stored():
    # given
    reporter = UserFactory(roles=["reporter"])
    client = _client(reporter)

    # when
    response = client.post(f"/reporters/{reporter.pk}/follow/", follow=True)

    # then
    assert "You cannot follow yourself." in response.content.decode()
    assert not Follow.objects.exists()


def test_following_twice_is_refused_and_stores_one_follow():
    # given
    reporter = UserFactory(roles=["reporter"])
    viewer = UserFactory()
    client = _client(viewer)
    client.post(f"/reporters/{reporter.pk}/follow/")

    # when
    response = client.post(f"/reporters/{reporter.pk}/follow/", follow=True)

    # then
    assert "You already follow this reporter." in response.content.decode()
    assert Follow.objects.count() == 1


def test_anonymous_follow_goes_to_log_in_and_stores_nothing():
    # given
    reporter = UserFactory(roles=["reporter"])

    # when
    response = _client().post(f"/reporters/{reporter.pk}/follow/")

    # then
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "inactive_reporter", "unknown"])
def test_non_reporters_and_unknown_ids_are_not_found(who):
    # given
    if who == "viewer":
        person_id = UserFactory().pk
    elif who == "inactive_reporter":
        person_id = UserFactory(roles=["reporter"], is_active=False).pk
    else:
        person_id = 987654

    # when
    page = _client().get(f"/reporters/{person_id}/")
    api = APIClient().get(f"/api/v1/community/reporters/{person_id}/")

    # then
    assert page.status_code == 404
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_work_comes_a_page_at_a_time():
    # given
    reporter = UserFactory(roles=["reporter"])
    for n in range(30):
        _published(reporter, title=f"Clip number {n:02d}")

    # when
    first = _client().get(f"/reporters/{reporter.pk}/").content.decode()
    second = _client().get(f"/reporters/{reporter.pk}/", {"page": 2}).content.decode()

    # then
    assert first.count('class="video-card"') == 24
    assert second.count('class="video-card"') == 6
    assert 'data-testid="reporter-next"' in first


def test_bio_with_markup_is_shown_as_text():
    # given
    reporter = UserFactory(roles=["reporter"], bio='<script>alert("bio")</script>')

    # when
    html = _client().get(f"/reporters/{reporter.pk}/").content.decode()

    # then
    assert '<script>alert("bio")' not in html
    assert "&lt;script&gt;alert(&quot;bio&quot;)&lt;/script&gt;" in html


def test_profile_api_for_others_and_for_the_owner():
    # given
    reporter = UserFactory(roles=["reporter"], display_name="Api Reporter")
    clip = _published(reporter, title="Public")
    pending = VideoFactory(owner=reporter, state="pending_review", title="Mine only")
    viewer = UserFactory()
    Follow.objects.create(follower=viewer, reporter=reporter)
    as_viewer = APIClient()
    as_viewer.force_authenticate(viewer)
    as_owner = APIClient()
    as_owner.force_authenticate(reporter)

    # when
    seen = as_viewer.get(f"/api/v1/community/reporters/{reporter.pk}/").json()
    own = as_owner.get(f"/api/v1/community/reporters/{reporter.pk}/").json()

    # then
    assert seen["name"] == "Api Reporter"
    assert seen["tier"] == "viewer"
    assert seen["followers"] == 1
    assert seen["following"] is True
    assert seen["published_count"] == 1
    assert [v["id"] for v in seen["videos"]] == [clip.pk]
    assert {v["id"] for v in own["videos"]} == {clip.pk, pending.pk}
    assert own["following"] is False


def test_the_watch_page_byline_leads_to_the_profile():
    # given
    reporter = UserFactory(roles=["reporter"], display_name="Byline Bo")
    clip = _published(reporter, title="Byline clip")

    # when
    html = _client().get(f"/videos/{clip.pk}/").content.decode()

    # then
    assert f'<a href="/reporters/{reporter.pk}/" data-testid="byline">By Byline Bo</a>' in html
