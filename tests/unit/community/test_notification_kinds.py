"""Who is told what: going on air, tier changes, app/email switches, and the old notices migrated."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from community.likes import services as like_services
from community.models import Notification, NotificationKind
from community.notifications import digest, notify
from community.notifications import services as notification_services
from community.reporters import services as reporter_services
from fieldcast.core.errors import ValidationFailed
from ingest import services as ingest_services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _on_air(reporter, editor):
    _key, secret = ingest_services.stream_key_create(user=reporter, name="Market cam")
    grant = ingest_services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    source = ingest_services.source_mark_live(source_id=grant.source_id, session_id="s1")
    ingest_services.source_decide(source_key=str(source.key), editor=editor, action="approve")
    return ingest_services.source_set_on_air(
        source_key=str(source.key), operator=editor, on_air=True
    )


def test_followers_hear_once_when_a_reporter_goes_on_air(reporter, viewer, editor):
    # given
    reporter_services.follow_create(user=viewer, reporter_id=reporter.pk)
    reporter.display_name = "Rita"
    reporter.save()

    # when the studio puts the source on air, cuts away and back again
    source = _on_air(reporter, editor)
    ingest_services.source_set_on_air(source_key=str(source.key), operator=editor, on_air=False)
    ingest_services.source_decide(source_key=str(source.key), editor=editor, action="approve")
    ingest_services.source_set_on_air(source_key=str(source.key), operator=editor, on_air=True)

    # then
    told = Notification.objects.get(kind=NotificationKind.FOLLOWED_ON_AIR)
    assert told.recipient == viewer
    assert notify.notification_text(told) == "Rita is on air now: “Market cam”"
    assert notify.notification_url(told) == "/"


def test_a_tier_change_reads_as_the_new_level(reporter):
    # when
    notify.notify_tier_changed(user_id=reporter.pk, from_tier="citizen", to_tier="trusted")

    # then
    told = Notification.objects.get(recipient=reporter)
    assert (told.kind, told.data) == ("tier_changed", {"from": "citizen", "to": "trusted"})
    assert notify.notification_text(told) == "You are now a Trusted reporter."


def test_a_kind_off_in_the_app_but_on_for_the_digest_is_kept_for_email_only(reporter):
    # given
    digest.notification_digest_set(user=reporter, digest="daily")
    notification_services.notification_preferences_set(
        user=reporter, enabled={"video_liked": False}
    )
    video = VideoFactory(owner=reporter, state="published")

    # when
    like_services.video_like(user=UserFactory(), video_id=video.pk)

    # then
    stored = Notification.objects.get(recipient=reporter)
    assert (stored.kind, stored.in_app) == ("video_liked", False)
    assert notify.unread_count(user_id=reporter.pk) == 0


def test_a_kind_off_in_the_app_without_a_digest_is_not_stored(reporter):
    # given a digest on, but this kind switched off in both channels
    digest.notification_digest_set(user=reporter, digest="weekly")
    notification_services.notification_preferences_set(
        user=reporter, enabled={"video_liked": False}
    )
    notification_services.notification_preferences_set(
        user=reporter, enabled={"video_liked": False}, channel="email"
    )
    video = VideoFactory(owner=reporter, state="published")

    # when
    like_services.video_like(user=UserFactory(), video_id=video.pk)

    # then
    assert Notification.objects.count() == 0


def test_unknown_kinds_and_channels_are_refused_and_change_nothing(reporter):
    # when
    with pytest.raises(ValidationFailed) as bad_kind:
        notification_services.notification_preferences_set(
            user=reporter, enabled={"fireworks": False}
        )
    with pytest.raises(ValidationFailed) as bad_channel:
        notification_services.notification_preferences_set(
            user=reporter, enabled={"video_liked": False}, channel="pigeon"
        )

    # then
    assert bad_kind.value.message == "Unknown notification kind."
    assert bad_channel.value.message == "Unknown notification channel."
    assert all(p.in_app and p.email for p in notify.preferences(user=reporter))


@pytest.mark.django_db(transaction=True)
def test_old_moderation_notices_become_notifications():
    # given the schema before notifications were unified, with two notices
    executor = MigrationExecutor(connection)
    before = [
        ("community", "0006_notification_channels_digests"),
        ("moderation", "0002_live_source_cases"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("accounts", "User").objects.create(email="old@example.com")
    video = old.get_model("videos", "Video").objects.create(
        owner_id=user.pk, title="Old clip", state="rejected"
    )
    case = old.get_model("moderation", "Case").objects.create(
        kind="video",
        status="decided",
        decision="reject",
        video_id=video.pk,
        priority_at="2026-01-01T00:00:00Z",
        created_at="2026-01-01T00:00:00Z",
    )
    notice_model = old.get_model("moderation", "Notice")
    notice_model.objects.create(
        recipient_id=user.pk, video_id=video.pk, case_id=case.pk, message="“Old clip” was no."
    )
    notice_model.objects.create(recipient_id=user.pk, message="Thanks for your report.")

    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then
    rows = list(
        Notification.objects.filter(recipient_id=user.pk)
        .order_by("id")
        .values_list("kind", "video_id", "data")
    )
    assert rows == [
        ("video_rejected", video.pk, {"message": "“Old clip” was no.", "case": case.pk}),
        ("report_outcome", None, {"message": "Thanks for your report.", "case": None}),
    ]
    texts = [
        notify.notification_text(item)
        for item in Notification.objects.filter(recipient_id=user.pk).order_by("id")
    ]
    assert texts == ["“Old clip” was no.", "Thanks for your report."]
