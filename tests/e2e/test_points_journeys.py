"""Points journeys in headless Chromium against the real server: an editor approves a clip in
the moderation queue and the reporter sees points, level and nudge on their profile;
the weekly board, staff promotion with its record, the dashboard's SVG charts, a segment CSV
and a reporter's participation score."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from fieldcast.points.models import PointsAccount
from fieldcast.points.services import activity_record, points_award
from moderation import services as moderation_services
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e


def test_approved_clip_raises_level_shows_nudge_and_weekly_board(
    server: LiveServer, page: Page
) -> None:
    # given a reporter with 3 lives used on air and one approved (155 points, level 4) and an
    # original clip in review (its fingerprint check found no earlier match)
    reporter = UserFactory(email="zainab@example.org", display_name="Zainab", roles=["reporter"])
    editor = UserFactory(roles=["reporter", "editor"])
    for n in range(3):
        points_award(user=reporter, rule="used_on_air", obj=f"live:{n}", key=f"air:{n}")
    points_award(user=reporter, rule="live_approved", obj="live:0", key="live_approved:0")
    clip = VideoFactory(owner=reporter, state="pending_review")
    moderation_services.checks_record(
        video_id=clip.pk,
        version=1,
        term_matches=[],
        technical={},
        technical_flags=[],
        hashes=[],
        similar=[],
    )

    # when an editor claims and approves it in the moderation queue: +10 published, +5 original
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/moderation/")
    page.get_by_test_id("queue-item").get_by_role("link").first.click()
    page.get_by_test_id("claim").click()
    page.get_by_test_id("verification").select_option("verified")
    page.get_by_test_id("decide-approve").click()
    expect(page.locator(".messages")).to_contain_text("Decision saved: Approved.")
    page.context.clear_cookies()

    # then the reporter's profile shows level 4, 170 points and how far level 5 is
    log_in(page, server, reporter.email)
    page.goto(f"{server.url}/accounts/profile/")
    card = page.get_by_test_id("points-card")
    expect(card.get_by_test_id("points-level")).to_have_text("Level 4")
    expect(card.get_by_test_id("points-total")).to_have_text("170 points")
    expect(card.get_by_test_id("points-tier")).to_have_text("Citizen reporter")
    expect(card.get_by_test_id("points-nudge")).to_have_text(
        "30 points to level 5: 3 published clips would do it."
    )

    # and their notifications tell them the new tier
    page.goto(f"{server.url}/community/notifications/")
    expect(page.locator("main")).to_contain_text("You are now a Citizen reporter.")

    # and the weekly board, reached from the header, lists them first
    page.click("header nav >> text=Leaderboards")
    board = page.get_by_test_id("leaderboard")
    expect(board.locator("tbody tr").first).to_contain_text("Zainab")
    expect(board.locator("tbody tr").first).to_contain_text("170")


def test_staff_promote_star_reporter_and_record_shows_who_and_why(
    server: LiveServer, page: Page
) -> None:
    # given a star reporter: 40 published clips, 2,000 points, on Fieldcast for 200 days
    star = UserFactory(email="star@example.org", display_name="Star Reporter", roles=["reporter"])
    star.date_joined = timezone.now() - timedelta(days=200)
    star.save(update_fields=["date_joined"])
    for _ in range(40):
        VideoFactory(owner=star, state="published")
    for n in range(40):
        points_award(user=star, rule="used_on_air", obj=f"live:{n}", key=f"air:{n}")
    assert PointsAccount.objects.get(user=star).tier == "star"
    staff = UserFactory(
        email="chief@example.org", display_name="Chief Editor", roles=["staff"], is_staff=True
    )

    # when staff open the promotions page and promote them with a reason
    log_in(page, server, staff.email)
    page.click("header nav >> text=Promotions")
    row = page.get_by_test_id(f"star-{star.pk}")
    row.locator("input[name=reason]").fill("Months of verified flood coverage")
    row.locator("button[type=submit]").click()

    # then the record shows who promoted whom and why, and the star is now a network reporter
    expect(page.locator(".message-success")).to_contain_text(
        "Star Reporter is now a network reporter"
    )
    history = page.get_by_test_id("promotion-history")
    first = history.locator("tbody tr").first
    expect(first).to_contain_text("Star Reporter")
    expect(first).to_contain_text("Promoted to network reporter")
    expect(first).to_contain_text("Chief Editor")
    expect(first).to_contain_text("Months of verified flood coverage")
    expect(page.get_by_test_id(f"star-{star.pk}")).to_contain_text("Network reporter")
    star.refresh_from_db()
    assert star.groups.filter(name="editor").exists()


def _distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24) or []
    return len(colours)


def test_dashboard_renders_non_empty_svg_charts(server: LiveServer, page: Page) -> None:
    # given three reporters with clips paid and uploads in the activity trail, and staff
    reporters = []
    for n in range(3):
        reporter = UserFactory(roles=["reporter"])
        reporters.append(reporter)
        for m in range(n + 1):
            points_award(user=reporter, rule="video_published", obj=f"v:{n}:{m}", key=f"vp:{n}:{m}")
            video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
            activity_record(user=reporter, kind="upload", obj=video)
    staff = UserFactory(roles=["staff"], is_staff=True)

    # when staff open the dashboard (logging in is activity too)
    log_in(page, server, staff.email)
    page.click("header nav >> text=Dashboard")

    # then each chart is an SVG with drawn marks, and its screenshot is not blank
    for test_id in (
        "chart-active",
        "chart-clips",
        "chart-distribution",
        "chart-funnel",
        "chart-daily",
    ):
        svg = page.get_by_test_id(test_id).locator("svg")
        expect(svg).to_be_visible()
        assert svg.locator(".bar, .line, .dot").count() > 0
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50
        assert _distinct_colours(svg.screenshot()) > 3
    expect(page.get_by_test_id("segment-occasional_reporters")).to_have_text("3")
    expect(page.get_by_test_id("activity-upload")).to_have_text("6")
    expect(page.get_by_test_id("activity-login")).to_have_text("1")

    # and the occasional reporters' CSV downloads with the three of them
    with page.expect_download() as download:
        page.get_by_test_id("segments").locator("tr", has_text="Occasional").get_by_text(
            "CSV"
        ).click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "id,email,display_name,city,joined,points"
    assert sorted(int(line.split(",")[0]) for line in lines[1:]) == [r.pk for r in reporters]

    # and a reporter's page shows staff their participation score
    page.goto(f"{server.url}/points/reporters/{reporters[-1].pk}/")
    participation = page.get_by_test_id("participation")
    expect(participation).to_contain_text("Score 12")  # 3 x 3 approved + 3 uploads
    expect(participation.get_by_test_id("participation-uploads")).to_have_text("3")
    expect(participation.get_by_test_id("participation-approved")).to_have_text("3")
