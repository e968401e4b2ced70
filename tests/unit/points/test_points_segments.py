"""Segments of users by behaviour, rule-based over the last 30 and 90 days of the activity trail,
and the dashboard's activity series."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldcast.points import selectors
from fieldcast.points.models import Activity
from fieldcast.points.services import activities_record, activity_record, points_award
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _days_ago(user, kind: str, days: int, times: int = 1) -> None:
    """Backdate trail rows (the trail is append-only: write them as they were then)."""
    moment = timezone.now() - timedelta(days=days)
    Activity.objects.bulk_create(
        Activity(
            user=user,
            kind=kind,
            obj_ref="x",
            day=timezone.localdate(moment),
            created_at=moment,
        )
        for _ in range(times)
    )


def test_each_user_lands_in_one_segment_by_the_documented_rules():
    # given one person per rule
    core_recent = UserFactory()
    _days_ago(core_recent, "upload", 3, times=3)
    _days_ago(core_recent, "live", 10)  # 4 contributions in 30 days
    core_long = UserFactory()
    _days_ago(core_long, "upload", 60, times=10)  # 10 in 90 days, none recent
    occasional = UserFactory()
    _days_ago(occasional, "upload", 80)
    _days_ago(occasional, "comment", 1, times=5)  # a contribution beats comments
    commenter = UserFactory()
    _days_ago(commenter, "comment", 2)
    _days_ago(commenter, "view", 2, times=9)
    watcher = UserFactory()
    _days_ago(watcher, "view", 5)
    _days_ago(watcher, "like", 5)
    lapsed = UserFactory()
    _days_ago(lapsed, "comment", 40)  # comments older than 30 days do not count
    silent = UserFactory()
    _days_ago(silent, "upload", 120)  # older than 90 days: forgotten
    gone = UserFactory(is_active=False)
    _days_ago(gone, "upload", 1, times=5)
    activity_record(user=None, kind="view", obj="video:1")  # anonymous views are nobody

    # when
    counts = {code: count for code, _label, count in selectors.user_segments()}
    members = {
        code: set(selectors.segment_users(segment=code).values_list("pk", flat=True))
        for code in selectors.SEGMENTS
    }

    # then
    assert members == {
        "core_reporters": {core_recent.pk, core_long.pk},
        "occasional_reporters": {occasional.pk},
        "commenters": {commenter.pk},
        "watchers": {watcher.pk},
        "inactive": {lapsed.pk, silent.pk},
    }
    assert counts == {code: len(ids) for code, ids in members.items()}


def test_segments_without_any_activity_are_all_inactive():
    # given
    people = [UserFactory() for _ in range(3)]

    # when
    counts = {code: count for code, _label, count in selectors.user_segments()}

    # then
    assert counts == {
        "core_reporters": 0,
        "occasional_reporters": 0,
        "commenters": 0,
        "watchers": 0,
        "inactive": len(people),
    }


def test_daily_active_users_and_activity_by_kind():
    # given two people active today (one twice) and one three days ago
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    activities_record(rows=[(first, "login", None), (first, "view", "v"), (second, "like", "v")])
    _days_ago(third, "upload", 3)

    # when
    daily = selectors.daily_active_users()
    kinds = {code: count for code, _label, count in selectors.activity_by_kind()}

    # then
    assert len(daily) == 30
    assert daily[-1] == (timezone.localdate(), 2)
    assert daily[-4][1] == 1
    assert sum(count for _day, count in daily) == 3
    assert kinds == {"upload": 1, "live": 0, "comment": 0, "view": 1, "login": 1, "like": 1}


def test_active_reporters_per_week_counts_uploads_and_paid_deeds_once_per_person():
    # given a reporter who uploaded and was paid this week, another who only went live
    both, live_only = UserFactory(), UserFactory()
    activity_record(user=both, kind="upload", obj="video:1")
    points_award(user=both, rule="video_published", obj="video:1", key="vp:1")
    activity_record(user=live_only, kind="live", obj="livesource:1")
    activity_record(user=UserFactory(), kind="comment", obj="comment:1")  # not a reporter deed

    # when
    weeks = selectors.active_reporters_by_week()

    # then
    assert weeks[-1][1] == 2
    assert sum(count for _week, count in weeks) == 2
