"""Automatic checks on real clips in storage: term filter, technical flags, re-upload detection."""

from __future__ import annotations

import pytest

from moderation.models import AuditEntry, Case, CheckResult, VideoFingerprint
from moderation.tasks import run_automatic_checks
from tests.factories import VideoFactory
from tests.integration.moderation.clips import SOURCES, make_clip, make_copy, store

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _video_with_clip(path, *, state="pending_review", **fields):
    video = VideoFactory(state=state, **fields)
    video.download_key = store(path, f"videos/{video.key}/v1/download.mp4")
    video.version = 1
    video.save(update_fields=["download_key", "version"])
    return video


def test_black_silent_short_clip_is_flagged_and_prioritised(tmp_path, settings):
    # given
    settings.MODERATION_TERM_LISTS = {"violence": ["bomb"]}
    clip = make_clip(
        tmp_path / "black.mp4",
        "color=c=black:size=160x120:rate=25",
        seconds=2,
        audio="anullsrc=r=48000:cl=mono",
    )
    video = _video_with_clip(clip, title="Bomb at the depot", duration_seconds=2.0)
    # when
    run_automatic_checks(video.pk)
    # then
    result = CheckResult.objects.get(video=video)
    assert result.flags == ["black", "frozen", "short", "silent", "term"]
    assert result.term_matches == [{"field": "title", "term": "bomb", "list": "violence"}]
    assert result.technical["black"] >= 1.9
    case = Case.objects.get(video=video, kind="video", status="open")
    assert case.flags == ["black", "frozen", "short", "silent", "term"]
    assert case.priority_boost_hours == 5 * settings.MODERATION_PRIORITY_HOURS["flag"]
    assert AuditEntry.objects.get(action="check").after["flags"] == case.flags


def test_clean_clip_raises_no_flags_and_running_twice_is_safe(tmp_path):
    # given
    clip = make_clip(
        tmp_path / "ok.mp4", SOURCES["testsrc2"], seconds=4, audio="sine=f=440:r=48000"
    )
    video = _video_with_clip(clip, title="Market day", duration_seconds=4.0)
    # when
    run_automatic_checks(video.pk)
    run_automatic_checks(video.pk)
    # then
    assert CheckResult.objects.get(video=video).flags == []
    assert Case.objects.filter(video=video).count() == 1
    assert VideoFingerprint.objects.get(video=video).frame_count == 8


def test_a_reupload_is_linked_to_its_original(tmp_path):
    # given
    original_clip = make_clip(tmp_path / "orig.mp4", SOURCES["waves"], seconds=4)
    original = _video_with_clip(original_clip, state="published", title="Original")
    copy = _video_with_clip(
        make_copy(original_clip, tmp_path / "copy.mp4", "rescaled"), title="Copy"
    )
    other = _video_with_clip(
        make_clip(tmp_path / "other.mp4", SOURCES["rings"], seconds=4), title="Other"
    )
    # the original was fingerprinted while it waited for review
    VideoFingerprint.objects.all().delete()
    original.state = "pending_review"
    original.save(update_fields=["state"])
    run_automatic_checks(original.pk)
    # when
    run_automatic_checks(copy.pk)
    run_automatic_checks(other.pk)
    # then
    copy_result = CheckResult.objects.get(video=copy)
    assert copy_result.original == original
    assert [item["video_id"] for item in copy_result.similar] == [original.pk]
    assert "reupload" in copy_result.flags
    other_result = CheckResult.objects.get(video=other)
    assert (other_result.original, other_result.similar) == (None, [])


def test_checks_skip_videos_not_waiting_for_review(tmp_path):
    # given
    video = _video_with_clip(
        make_clip(tmp_path / "p.mp4", SOURCES["bars"], seconds=2), state="published"
    )
    # when
    run_automatic_checks(video.pk)
    # then
    assert CheckResult.objects.count() == 0
