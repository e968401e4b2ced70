"""Moderation journeys in Chromium against the real server (web + worker).

1. A reporter uploads; an editor opens the queue (keyboard), claims, approves with a verification
   status; an anonymous viewer then sees the video.
2. A second clip is rejected with a reason; the reporter reads the reason and appeals.
3. Viewers report a published video; at the threshold it disappears for anonymous viewers.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos.models import Video
from moderation import services
from moderation.models import Appeal, Case
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e


def _clip(tmp_path: Path) -> Path:
    path = tmp_path / "square.mp4"
    subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100",
            "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-shortest", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def _anonymous(browser: Browser):
    return browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})


def test_upload_then_editor_claims_and_approves_then_public_sees_it(
    server: LiveServer, page: Page, browser: Browser, tmp_path: Path
) -> None:
    # given a reporter who uploads a clip from the upload page
    reporter = UserFactory(roles=["reporter"])
    editor = UserFactory(roles=["reporter", "editor"], display_name="Desk Editor")
    log_in(page, server, reporter.email)
    page.goto(f"{server.url}/videos/upload/")
    page.set_input_files("#upload-file", str(_clip(tmp_path)))
    page.fill("#upload-title", "Crowd at the square")
    page.click("#upload-start")
    expect(page.get_by_test_id("upload-status")).to_contain_text(
        "Waiting for review", timeout=120_000
    )
    video = Video.objects.get(owner=reporter)
    page.context.clear_cookies()

    # when the editor opens the queue, moves to the item with the keyboard and claims it
    log_in(page, server, editor.email)
    page.click("nav a:has-text('Moderation')")
    expect(page.locator("h1")).to_have_text("Moderation queue")
    expect(page.get_by_test_id("queue-item")).to_contain_text("Crowd at the square")
    page.wait_for_load_state("load")  # the shortcuts script is deferred
    page.keyboard.press("j")
    expect(page.get_by_test_id("queue-item").first).to_have_class("mod-row is-current")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Crowd at the square")
    page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("claim-panel")).to_contain_text("You hold this item until")

    # and approves it as verified
    page.get_by_test_id("verification").select_option("verified")
    page.get_by_test_id("decide-approve").click()
    expect(page.locator(".messages")).to_contain_text("Decision saved: Approved.")

    # then the video is published and an anonymous viewer sees it
    video.refresh_from_db()
    assert (video.state, video.verification_note, video.reviewed_by) == (
        "published",
        "verified",
        editor,
    )
    anonymous = _anonymous(browser)
    try:
        watch = anonymous.new_page()
        watch.goto(f"{server.url}/")
        expect(watch.get_by_test_id("latest-videos")).to_contain_text("Crowd at the square")
        watch.get_by_test_id("latest-videos").get_by_text("Crowd at the square").click()
        expect(watch).to_have_url(f"{server.url}/videos/{video.pk}/")
        expect(watch.locator("h1")).to_have_text("Crowd at the square")
        listed = watch.request.get(f"{server.url}/api/v1/videos/").json()
        assert [item["id"] for item in listed["results"]] == [video.pk]
    finally:
        anonymous.close()


def test_rejected_clip_reason_reaches_the_reporter_who_appeals(
    server: LiveServer, page: Page
) -> None:
    # given a second clip waiting for review
    reporter = UserFactory(roles=["reporter"])
    editor = UserFactory(roles=["reporter", "editor"])
    video = VideoFactory(owner=reporter, state="pending_review", title="Blurred night clip")

    # when the editor rejects it with a listed reason and a note
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/moderation/")
    page.get_by_test_id("queue-item").get_by_role("link").first.click()
    page.wait_for_load_state("load")  # the shortcuts script is deferred
    page.keyboard.press("r")  # the shortcut jumps to the reject form
    expect(page.get_by_test_id("reason-code")).to_be_focused()
    page.get_by_test_id("reason-code").select_option("quality")
    page.locator("#decide-reject textarea[name=reason_text]").fill("Too dark to see anything.")
    page.get_by_test_id("decide-reject").click()
    expect(page.locator(".messages")).to_contain_text("Decision saved: Rejected.")
    page.context.clear_cookies()

    # then the reporter reads the reason and appeals
    log_in(page, server, reporter.email)
    page.goto(f"{server.url}/moderation/notices/")
    expect(page.get_by_test_id("notices")).to_contain_text(
        "“Blurred night clip” was not published. Reason: Picture or sound too poor: "
        "Too dark to see anything."
    )
    form = page.get_by_test_id(f"appeal-form-{video.pk}")
    expect(form.get_by_test_id("state-reason")).to_have_text(
        "Picture or sound too poor: Too dark to see anything."
    )
    form.locator("textarea[name=note]").fill("The faces are visible at the end.")
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("Your appeal was sent.")
    appeal = Appeal.objects.get(video=video)
    assert (appeal.note, appeal.case.status, appeal.case.excluded_editor) == (
        "The faces are visible at the end.",
        "open",
        editor,
    )
    # and the appeal form is gone: one appeal only
    expect(page.get_by_test_id(f"appeal-form-{video.pk}")).to_have_count(0)


def test_reports_past_the_threshold_hide_a_published_video(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given a published video that two viewers already reported (threshold: 3 people)
    assert settings.MODERATION_REPORT_HIDE_THRESHOLD == 3
    video = VideoFactory(state="published", published_at=timezone.now(), title="Staged scene")
    for _ in range(2):
        services.report_create(reporter=UserFactory(), video_id=video.pk, reason="misleading")
    anonymous = _anonymous(browser)
    try:
        watch = anonymous.new_page()
        before = watch.goto(f"{server.url}/videos/{video.pk}/")
        assert before is not None
        assert before.status == 200
        watch.goto(f"{server.url}/")
        expect(watch.get_by_test_id("latest-videos")).to_contain_text("Staged scene")

        # when a third viewer reports it from the report page
        viewer = UserFactory()
        log_in(page, server, viewer.email)
        page.goto(f"{server.url}/moderation/report/video/{video.pk}/")
        page.locator("input[name=reason][value=misleading]").check()
        page.fill("textarea[name=text]", "This was filmed last year.")
        page.get_by_test_id("send-report").click()
        expect(page.locator(".messages")).to_contain_text("Editors will review your report.")

        # then it is hidden: anonymous viewers no longer find it, and editors have it queued
        after = watch.goto(f"{server.url}/videos/{video.pk}/")
        assert after is not None
        assert after.status == 404
        watch.goto(f"{server.url}/")
        expect(watch.locator("main")).not_to_contain_text("Staged scene")
        video.refresh_from_db()
        assert video.state == "hidden"
        case = Case.objects.get(video=video, kind="report", status="open")
        assert case.reports.count() == 3
    finally:
        anonymous.close()
