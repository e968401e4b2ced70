"""Points pages: profile card, boards, reporter card, staff pages; who may see what."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from community.audience.services import view_record
from community.comments.services import comment_create
from fieldcast.points.models import PointEvent, PointsAccount
from fieldcast.points.services import activity_record, points_award
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:
    client.force_login(user)


def test_profile_shows_level_total_and_nudge(client, reporter) -> None:
    # given a reporter 12 points from level 5 (level 5 starts at 200)
    VideoFactory(owner=reporter, state="published")
    PointsAccount.objects.create(user=reporter, total=178, level=4, tier="citizen")
    _login(client, reporter)

    # when they earn a published clip's points (+10 -> 188) and open their profile
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    response = client.get(reverse("profile"))

    # then the card shows their level, total and the nudge
    body = response.content.decode()
    assert response.status_code == 200
    assert "Level 4" in body
    assert "188 points" in body
    assert "12 points to level 5: 2 published clips would do it." in body


def test_weekly_board_lists_users_best_first_without_hidden(client) -> None:
    # given three users with points this week, one of them hidden
    alice = UserFactory(display_name="Alice", city="Lagos")
    bola = UserFactory(display_name="Bola", city="Abuja")
    hidden = UserFactory(display_name="Hidden", city="Lagos")
    points_award(user=alice, rule="used_on_air", obj="a", key="a")
    points_award(user=bola, rule="video_published", obj="b", key="b")
    points_award(user=hidden, rule="used_on_air", obj="h", key="h")
    _login(client, hidden)
    client.post(reverse("points-visibility"), {"hidden": "1"})

    # when anyone opens the weekly board, and the board for Lagos
    client.logout()
    week = client.get(reverse("points-leaderboard", args=["week"])).content.decode()
    lagos = client.get(reverse("points-leaderboard", args=["all"]), {"city": "Lagos"})

    # then Alice leads, Bola follows, the hidden user is absent
    assert week.index("Alice") < week.index("Bola")
    assert "Hidden" not in week
    assert [row.name for row in lagos.context["rows"]] == ["Alice"]


def test_unknown_board_is_404(client) -> None:
    assert client.get("/points/leaderboards/decade/").status_code == 404


def test_staff_pages_refuse_reporters(client, reporter) -> None:
    _login(client, reporter)

    assert client.get(reverse("points-promotions")).status_code == 403
    assert client.get(reverse("points-dashboard")).status_code == 403
    assert client.get(reverse("points-segment-csv", args=["watchers"])).status_code == 403


def test_staff_sees_dashboard_with_svg_charts_and_csv(client, staff_user, reporter) -> None:
    # given a reporter with four clips paid and four finished uploads this month
    for n in range(4):
        points_award(user=reporter, rule="video_published", obj=f"v{n}", key=f"vp:{n}")
        activity_record(user=reporter, kind="upload", obj=f"video:{n}")
    _login(client, staff_user)

    # when staff open the dashboard and export the core reporters
    page = client.get(reverse("points-dashboard"))
    csv_response = client.get(reverse("points-segment-csv", args=["core_reporters"]))

    # then five SVG charts render, the activity table counts, and the CSV lists the reporter
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<svg class="chart"') == 5
    assert 'class="bar"' in body
    assert 'class="line"' in body
    assert page.context["activity"][0] == ("upload", "Upload", 4)
    csv_lines = b"".join(csv_response.streaming_content).decode().splitlines()
    assert csv_lines[0] == "id,email,display_name,city,joined,points"
    assert csv_lines[1].startswith(f"{reporter.pk},{reporter.email},")
    assert csv_lines[1].endswith(",40")
    assert len(csv_lines) == 2


def test_unknown_segment_csv_is_404(client, staff_user) -> None:
    _login(client, staff_user)

    assert client.get(reverse("points-segment-csv", args=["astronauts"])).status_code == 404


def test_staff_adjustment_form_without_reason_shows_error_and_changes_nothing(
    client, staff_user, reporter
) -> None:
    _login(client, staff_user)

    response = client.post(
        reverse("points-adjust", args=[reporter.pk]), {"points": "-5", "reason": ""}, follow=True
    )

    assert "Say why you adjust these points" in response.content.decode()
    assert PointEvent.objects.count() == 0


def test_reporter_page_shows_participation_to_staff_only(client, staff_user, reporter) -> None:
    # given a reporter with two uploads (one published), an original, two comments, one live
    published = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    VideoFactory(owner=reporter, state="pending_review")
    points_award(user=reporter, rule="original_footage", obj="v", key="of:1")
    for body in ("First!", "Second."):
        comment_create(user=reporter, video_id=published.pk, body=body)
    activity_record(user=reporter, kind="live", obj="livesource:1")
    url = reverse("points-reporter", args=[reporter.pk])

    # when a viewer and then staff open the reporter's page
    anonymous = client.get(url).content.decode()
    _login(client, staff_user)
    staff_view = client.get(url).content.decode()

    # then only staff see the participation score: 3*1 + 2*1 + 2 uploads + 1 live + 2 comments
    assert "Participation" not in anonymous
    assert "Score 10" in staff_view
    facts = dict(re.findall(r'data-testid="participation-([a-z-]+)">([^<]*)</dd>', staff_view))
    assert facts == {
        "uploads": "2",
        "approved": "1",
        "originals": "1",
        "comments": "2",
        "lives": "1",
        "last-active": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }


def test_admin_shows_the_ledger_read_only(client, reporter) -> None:
    # given a superuser and one ledger event
    admin_user = UserFactory(roles=["staff"], is_staff=True, is_superuser=True)
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    _login(client, admin_user)

    # when they open the ledger in the admin and try to add an event
    listing = client.get("/admin/points/pointevent/")
    add = client.get("/admin/points/pointevent/add/")

    # then they can read it but not write to it
    assert listing.status_code == 200
    assert "vp:1" in listing.content.decode()
    assert add.status_code == 403


def test_admin_shows_the_activity_trail_read_only(client, reporter) -> None:
    # given a superuser and one activity
    admin_user = UserFactory(roles=["staff"], is_staff=True, is_superuser=True)
    activity_record(user=reporter, kind="upload", obj="video:77")
    _login(client, admin_user)

    # when they open the trail in the admin and try to add a row
    listing = client.get("/admin/points/activity/")
    add = client.get("/admin/points/activity/add/")

    # then they can read it but not write to it
    assert listing.status_code == 200
    assert "video:77" in listing.content.decode()
    assert add.status_code == 403


def test_rating_form_shows_only_after_watching(client, viewer, reporter) -> None:
    # given a reporter with a published clip and a signed-in viewer
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    _login(client, viewer)
    url = reverse("points-reporter", args=[reporter.pk])

    # when the viewer opens the reporter's page before and after watching the clip
    before = client.get(url).content.decode()
    view_record(video=video, viewer=f"u{viewer.pk}")
    after = client.get(url).content.decode()

    # then first they are asked to watch, then they may rate
    assert 'data-testid="must-watch"' in before
    assert 'name="stars"' not in before
    assert 'name="stars"' in after
    assert 'data-testid="must-watch"' not in after
