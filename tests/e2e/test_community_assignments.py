"""Assignments journeys in Chromium: an editor publishes a call for footage from the page; a
reporter in that city sees it first, accepts it, uploads against it through the upload page
(tus); the editor marks the clip used and the story the assignment feeds shows it."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from community.assignments import services as assignment_services
from community.models import Assignment, AssignmentUse, StoryItem
from community.stories import services as story_services
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos.models import Video
from fieldcast.videos.services import video_publish
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_editor_publishes_an_assignment_and_a_reporter_sees_it(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given an editor, a reporter in Kano, and an older call elsewhere
    editor = UserFactory(roles=["editor"])
    reporter = UserFactory(roles=["reporter"], city="Kano")
    now = timezone.now()
    assignment_services.assignment_publish(
        user=editor,
        title="Elsewhere call",
        brief="Far away.",
        city="Abuja",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        urgency="breaking",
    )

    # when the editor publishes from the page
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/community/assignments/")
    page.get_by_test_id("assignment-new").click()
    page.fill("input[name=title]", "Kano market flood")
    page.fill("textarea[name=brief]", "Water level at the market gates, wide shots.")
    page.fill("input[name=city]", "Kano")
    page.fill("input[name=starts_at]", "2026-11-26T08:00")
    page.fill("input[name=ends_at]", "2026-11-26T18:00")
    page.select_option("select[name=urgency]", "high")
    page.fill("input[name=points_bonus]", "40")
    page.get_by_test_id("assignment-submit").click()

    # then its page shows it
    expect(page.get_by_test_id("assignment-title")).to_have_text("Kano market flood")
    created = Assignment.objects.get(title="Kano market flood")
    assert (created.city, created.urgency, created.points_bonus) == ("Kano", "high", 40)

    # when the reporter opens the assignments page from the header
    reporter_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    reporter_page = reporter_context.new_page()
    log_in(reporter_page, server, reporter.email)
    reporter_page.locator("header nav").get_by_role("link", name="Assignments", exact=True).click()

    # then the call in their city comes first, marked near them, and opens with an upload link
    rows = reporter_page.get_by_test_id("assignment")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Kano market flood")
    expect(rows.first.get_by_test_id("near-you")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Elsewhere call")
    rows.first.get_by_role("link", name="Kano market flood").click()
    expect(reporter_page.get_by_test_id("assignment-upload")).to_have_attribute(
        "href", f"/videos/upload/?assignment={created.pk}"
    )
    reporter_context.close()


def _clip(tmp_path: Path) -> Path:
    """A 2 s 320x240 H.264/AAC clip, generated (never a checked-in binary)."""
    path = tmp_path / "queue.mp4"
    subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-shortest", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def test_assignment_journey_from_call_to_the_story_timeline(
    server: LiveServer, page: Page, browser: Browser, tmp_path: Path
) -> None:
    # given an editor with a story, and a reporter in Kano
    editor = UserFactory(roles=["reporter", "editor"])
    reporter = UserFactory(roles=["reporter"], city="Kano")
    story = story_services.story_create(user=editor, title="Fuel shortage")
    clip = _clip(tmp_path)

    # when the editor publishes an assignment that feeds the story, from the page
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/community/assignments/new/")
    page.fill("input[name=title]", "Fuel queues in Kano")
    page.fill("textarea[name=brief]", "How long are the lines? Wide shots, no plates.")
    page.fill("input[name=city]", "Kano")
    now = timezone.localtime()
    page.fill("input[name=starts_at]", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=story_id]", str(story.pk))
    page.get_by_test_id("assignment-submit").click()
    expect(page.get_by_test_id("assignment-story")).to_have_text("Fuel shortage")
    assignment = Assignment.objects.get(title="Fuel queues in Kano")

    # and the reporter sees it first on the assignments page and accepts it
    reporter_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    try:
        phone = reporter_context.new_page()
        log_in(phone, server, reporter.email)
        phone.goto(f"{server.url}/community/assignments/")
        rows = phone.get_by_test_id("assignment")
        expect(rows.first).to_contain_text("Fuel queues in Kano")
        expect(rows.first.get_by_test_id("near-you")).to_be_visible()
        rows.first.get_by_role("link", name="Fuel queues in Kano").click()
        phone.get_by_test_id("assignment-accept").click()
        expect(phone.get_by_test_id("assignment-accepted")).to_be_visible()
        phone.goto(f"{server.url}/community/assignments/mine/")
        expect(phone.get_by_test_id("accepted-assignment")).to_contain_text("Fuel queues in Kano")

        # and uploads a clip against it through the upload page (tus)
        phone.get_by_test_id("accepted-assignment").get_by_role("link", name="Upload").click()
        expect(phone.locator("#upload-assignment")).to_have_value(str(assignment.pk))
        phone.set_input_files("#upload-file", str(clip))
        phone.fill("#upload-title", "Queue at the Zoo Road station")
        phone.click("#upload-start")
        expect(phone.get_by_test_id("upload-percent")).to_have_text("100%", timeout=30_000)
        # the bar reads 100% once the bytes are sent; the page may close only once the server
        # has answered the last PATCH (the processing panel opens then), or the upload is cut short
        expect(phone.locator("#processing")).to_be_visible(timeout=60_000)
        # (the live progress bars are the upload journey's subject: here the worker's result
        # counts, and the page says when it is in)
        expect(phone.get_by_test_id("upload-status")).to_contain_text(
            "Waiting for review", timeout=120_000
        )
    finally:
        reporter_context.close()
    video = Video.objects.get(owner=reporter)
    assert (video.state, video.assignment_ref) == ("pending_review", assignment.ref)

    # when an editor publishes it (the moderation journeys cover that page) and, on the
    # assignment page, marks it used
    video_publish(video=video, editor=editor, verification="Called the reporter.")
    page.goto(f"{server.url}/community/assignments/{assignment.pk}/")
    contribution = page.get_by_test_id("contribution")
    expect(contribution).to_contain_text("Queue at the Zoo Road station")
    contribution.get_by_test_id("mark-used").click()
    expect(page.get_by_test_id("used")).to_be_visible()
    assert AssignmentUse.objects.filter(assignment=assignment, video=video).exists()

    # then the story page shows the clip on its timeline
    page.get_by_test_id("assignment-story").click()
    item = page.get_by_test_id("timeline-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Queue at the Zoo Road station")
    assert StoryItem.objects.filter(story=story, video=video).exists()
