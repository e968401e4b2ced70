"""Reporters accept assignments; an assignment can feed a story: used footage joins its timeline
and a live source on air for it lights the story's banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.assignments import selectors as assignment_selectors
from community.assignments import services as assignment_services
from community.models import Assignment, AssignmentAcceptance, Notification, StoryItem
from community.stories import selectors as story_selectors
from community.stories import services as story_services
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ingest.models import LiveSource
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _publish(editor, **overrides) -> Assignment:
    now = timezone.now()
    fields = {
        "title": "Queues at the fuel station",
        "brief": "How long is the line?",
        "city": "Lagos",
        "starts_at": now,
        "ends_at": now + timedelta(hours=4),
    }
    fields.update(overrides)
    return assignment_services.assignment_publish(user=editor, **fields)


def test_reporter_accepts_an_open_assignment_and_sees_it_on_their_list(editor, reporter):
    # given
    first = _publish(editor, title="First")
    second = _publish(editor, title="Second")
    VideoFactory(owner=reporter, state="published", assignment_ref=second.ref)

    # when
    assignment_services.assignment_accept(user=reporter, assignment_id=first.pk)
    assignment_services.assignment_accept(user=reporter, assignment_id=second.pk)

    # then newest acceptance first, with the reporter's own published clips counted
    rows = list(assignment_selectors.assignments_accepted(user=reporter))
    assert [(a.title, a.mine) for a in rows] == [("Second", 1), ("First", 0)]
    assert assignment_selectors.assignment_accepted_ids(user=reporter) == {first.pk, second.pk}
    page = assignment_selectors.assignment_page(assignment_id=first.pk, user=reporter)
    assert page is not None
    assert (page.accepted, page.acceptances) == (True, 1)


def test_closed_assignments_sort_after_open_ones(editor, reporter):
    # given
    closing = _publish(editor, title="Closing")
    staying = _publish(editor, title="Staying")
    assignment_services.assignment_accept(user=reporter, assignment_id=staying.pk)
    assignment_services.assignment_accept(user=reporter, assignment_id=closing.pk)

    # when
    assignment_services.assignment_close(user=editor, assignment_id=closing.pk)

    # then
    assert [a.title for a in assignment_selectors.assignments_accepted(user=reporter)] == [
        "Staying",
        "Closing",
    ]


def test_accepting_twice_is_refused(editor, reporter):
    # given
    assignment = _publish(editor)
    assignment_services.assignment_accept(user=reporter, assignment_id=assignment.pk)

    # when
    with pytest.raises(Conflict) as refused:
        assignment_services.assignment_accept(user=reporter, assignment_id=assignment.pk)

    # then
    assert refused.value.code == "already_accepted"
    assert AssignmentAcceptance.objects.count() == 1


def test_accepting_a_closed_assignment_is_refused(editor, reporter):
    # given
    assignment = _publish(editor)
    assignment_services.assignment_close(user=editor, assignment_id=assignment.pk)

    # when
    with pytest.raises(Conflict) as refused:
        assignment_services.assignment_accept(user=reporter, assignment_id=assignment.pk)

    # then
    assert refused.value.code == "assignment_closed"
    assert not AssignmentAcceptance.objects.exists()


def test_accepting_an_ended_assignment_is_refused(editor, reporter):
    # given
    assignment = _publish(editor)
    Assignment.objects.filter(pk=assignment.pk).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )

    # when
    with pytest.raises(Conflict) as refused:
        assignment_services.assignment_accept(user=reporter, assignment_id=assignment.pk)

    # then
    assert refused.value.code == "assignment_ended"
    assert not AssignmentAcceptance.objects.exists()


def test_a_viewer_cannot_accept(editor, viewer):
    # given
    assignment = _publish(editor)

    # when / then
    with pytest.raises(PermissionDenied):
        assignment_services.assignment_accept(user=viewer, assignment_id=assignment.pk)
    assert not AssignmentAcceptance.objects.exists()


def test_accepting_a_missing_assignment_is_not_found(reporter):
    with pytest.raises(NotFound):
        assignment_services.assignment_accept(user=reporter, assignment_id=999_999)
    assert not AssignmentAcceptance.objects.exists()


def test_withdraw_takes_it_off_the_list_and_twice_is_refused(editor, reporter):
    # given
    assignment = _publish(editor)
    assignment_services.assignment_accept(user=reporter, assignment_id=assignment.pk)

    # when
    assignment_services.assignment_withdraw(user=reporter, assignment_id=assignment.pk)

    # then
    assert list(assignment_selectors.assignments_accepted(user=reporter)) == []
    with pytest.raises(NotFound):
        assignment_services.assignment_withdraw(user=reporter, assignment_id=assignment.pk)


def test_an_assignment_for_a_missing_story_is_refused(editor):
    with pytest.raises(ValidationFailed) as refused:
        _publish(editor, story_id=999_999)
    assert "story_id" in refused.value.fields
    assert not Assignment.objects.exists()


def test_used_footage_joins_the_story_timeline_and_followers_hear(editor, reporter):
    # given a story with a follower, an assignment feeding it and a published contribution
    story = story_services.story_create(user=editor, title="Fuel crisis")
    follower = UserFactory()
    story_services.story_follow(user=follower, story_id=story.pk)
    assignment = _publish(editor, story_id=story.pk)
    video = VideoFactory(
        owner=reporter,
        state="published",
        assignment_ref=assignment.ref,
        published_at=timezone.now(),
    )

    # when the editor marks it used
    assignment_services.assignment_mark_used(
        user=editor, assignment_id=assignment.pk, video_id=video.pk
    )

    # then the clip is on the timeline and the follower was told
    timeline = story_selectors.story_timeline(story_id=story.pk, user=follower)
    assert timeline is not None
    assert [(i.kind, i.video_id) for i in timeline.items] == [("video", video.pk)]
    told = Notification.objects.get(recipient=follower, kind="story_updated")
    assert (told.story_id, told.video_id) == (story.pk, video.pk)


def test_used_footage_already_on_the_story_is_not_added_twice(editor, reporter):
    # given the editor already placed the clip on the story by hand
    story = story_services.story_create(user=editor, title="Fuel crisis")
    assignment = _publish(editor, story_id=story.pk)
    video = VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)
    story_services.story_add_video(user=editor, story_id=story.pk, video_id=video.pk)

    # when
    assignment_services.assignment_mark_used(
        user=editor, assignment_id=assignment.pk, video_id=video.pk
    )

    # then
    assert StoryItem.objects.filter(story=story, video=video).count() == 1


def test_story_banner_lists_sources_on_air_for_its_assignments(editor, reporter):
    # given a story fed by one assignment, and sources for it and for another call
    story = story_services.story_create(user=editor, title="Fuel crisis")
    feeding = _publish(editor, story_id=story.pk)
    other = _publish(editor, title="Elsewhere")
    on_air = LiveSource.objects.create(
        reporter=reporter,
        title="Live at the pumps",
        assignment_ref=feeding.ref,
        protocol="whip",
        state="on_air",
    )
    LiveSource.objects.create(
        reporter=reporter,
        title="Only live",
        assignment_ref=feeding.ref,
        protocol="whip",
        state="live",
    )
    LiveSource.objects.create(
        reporter=reporter,
        title="Other story",
        assignment_ref=other.ref,
        protocol="whip",
        state="on_air",
    )

    # when
    timeline = story_selectors.story_timeline(story_id=story.pk, user=reporter)

    # then only the on-air source tied to the story lights the banner
    assert timeline is not None
    assert [s.pk for s in timeline.on_air] == [on_air.pk]
