"""Notifications journey in Chromium: a held comment waits in the one moderation queue, an editor
removes it with a reason, the author's bell rings live and they read why; then they choose a
weekly email digest and switch one kind off for email."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from community.comments import services
from community.models import Comment, CommentState, NotificationMute, NotificationSettings
from community.notifications.digest import unsubscribe_token
from moderation import services as moderation_services
from moderation.models import Case
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("FIELDCAST_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    """Screenshots for people checking the pages by eye (only when FIELDCAST_SCREENSHOTS is set)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_held_comment_removed_from_the_queue_reaches_its_author_who_opts_in_to_a_digest(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given a published video that takes comments only after approval
    reporter = UserFactory(roles=["reporter"])
    video = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="Harbour at dawn"
    )
    services.comment_settings_set(user=reporter, video_id=video.pk, mode="approval")
    viewer = UserFactory(display_name="Viewer Vee")
    editor = UserFactory(roles=["editor"])

    # when the viewer comments (their page stays open, the bell listening on /ws/me/)
    viewer_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    viewer_page = viewer_context.new_page()
    log_in(viewer_page, server, viewer.email)
    viewer_page.goto(f"{server.url}/videos/{video.pk}/")
    viewer_page.get_by_test_id("comment-body").fill("Cheap watches at my stall, come by")
    viewer_page.get_by_test_id("comment-submit").click()
    expect(viewer_page.get_by_test_id("bell")).to_have_attribute("data-live", "1")

    # and the editor opens the old held-comments address, lands on the queue and removes it
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/community/held/")
    expect(page).to_have_url(f"{server.url}/moderation/?kind=comment")
    item = page.get_by_test_id("queue-item")
    expect(item).to_contain_text("Cheap watches at my stall")
    _shot(page, "queue-held-comment")
    item.get_by_role("link").first.click()
    expect(page.get_by_test_id("held-comment")).to_contain_text("Cheap watches at my stall")
    page.locator("#decide-remove select[name=reason_code]").select_option("other")
    page.locator("#decide-remove textarea[name=reason_text]").fill("Advertising.")
    _shot(page, "case-held-comment")
    page.get_by_test_id("decide-remove").click()
    expect(page.locator(".messages")).to_contain_text("Decision saved")

    # then the author's bell rings without a reload and the notification says why
    expect(viewer_page.get_by_test_id("bell-count")).to_have_text("1", timeout=10_000)
    viewer_page.get_by_test_id("bell").click()
    expect(viewer_page.get_by_test_id("notification").first).to_contain_text(
        "An editor removed your comment on “Harbour at dawn”. Other (see the note): Advertising."
    )
    assert Comment.objects.get(author=viewer).state == CommentState.REMOVED

    # when they choose a weekly digest and take likes out of their email
    prefs = viewer_page.get_by_test_id("notification-preferences")
    prefs.locator("select[name=digest]").select_option("weekly")
    prefs.locator("input[name=email_kinds][value=video_liked]").uncheck()
    _shot(viewer_page, "notifications-page")
    prefs.get_by_test_id("save-preferences").click()

    # then it is saved, and the switches show what was chosen
    expect(viewer_page.locator(".messages")).to_contain_text("Notification settings saved.")
    expect(prefs.locator("select[name=digest]")).to_have_value("weekly")
    assert NotificationSettings.objects.get(user=viewer).digest == "weekly"
    assert list(NotificationMute.objects.filter(user=viewer).values_list("kind", "channel")) == [
        ("video_liked", "email")
    ]

    # when the digest's unsubscribe link is followed (no login needed) and confirmed
    anonymous = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    link = anonymous.new_page()
    link.goto(
        f"{server.url}/community/notifications/unsubscribe/{unsubscribe_token(user_id=viewer.pk)}/"
    )
    expect(link.get_by_test_id("unsubscribe")).to_contain_text(viewer.email)
    _shot(link, "unsubscribe")
    link.get_by_test_id("unsubscribe-confirm").click()

    # then the digest is off
    expect(link.get_by_test_id("unsubscribe")).to_contain_text("will get no more digest emails")
    assert NotificationSettings.objects.get(user=viewer).digest == "off"
    anonymous.close()
    viewer_context.close()


def test_a_follower_hears_live_when_the_reporter_they_follow_publishes(
    server: LiveServer, browser: Browser
) -> None:
    # given a reporter with one published clip and one waiting for review
    reporter = UserFactory(roles=["reporter"], display_name="Rita Reporter")
    older = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="Older clip"
    )
    waiting = VideoFactory(owner=reporter, state="pending_review", title="Flood on Main Street")
    follower = UserFactory(display_name="Fan Fola")
    editor = UserFactory(roles=["editor"])

    # when the follower follows her from a watch page and keeps the site open
    fan_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    fan_page = fan_context.new_page()
    log_in(fan_page, server, follower.email)
    fan_page.goto(f"{server.url}/videos/{older.pk}/")
    fan_page.get_by_test_id("follow").click()
    expect(fan_page.get_by_test_id("unfollow")).to_be_visible()
    expect(fan_page.get_by_test_id("bell")).to_have_attribute("data-live", "1")

    # and an editor approves the waiting clip (through the service: the queue page's own journey
    # is tests/e2e/test_moderation_journeys.py; deciding here keeps the server process from
    # caching content types that the flush between tests renumbers)
    moderation_services.cases_sync_pending_videos()
    case = Case.objects.get(video=waiting, kind="video")
    moderation_services.case_decide(case_id=case.pk, editor=editor, decision="approve")

    # then the follower's bell rings without a reload, and the notification names the clip
    expect(fan_page.get_by_test_id("bell-count")).to_have_text("1", timeout=10_000)
    fan_page.get_by_test_id("bell").click()
    expect(fan_page.get_by_test_id("notification").first).to_contain_text(
        "Rita Reporter published “Flood on Main Street”"
    )
    fan_context.close()
