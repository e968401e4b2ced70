"""Points API: boards, my points, ratings, staff adjustments and promotions; the error shape."""

from __future__ import annotations

import pytest

from community.audience.services import view_record
from fieldcast.points.models import PointEvent, PointsAccount, PromotionRecord, ViewerRating
from fieldcast.points.services import (
    activity_record,
    points_award,
    points_board_visibility_set,
    points_reverse,
)
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_weekly_board_api(api_client) -> None:
    # given two users with points this week
    ada = UserFactory(display_name="Ada", city="Kano")
    ben = UserFactory(display_name="Ben", city="Jos")
    points_award(user=ada, rule="video_published", obj="a", key="a")
    points_award(user=ben, rule="used_on_air", obj="b", key="b")

    # when anyone reads the weekly board
    response = api_client.get("/api/v1/points/leaderboards/week/")

    # then it lists them best first
    assert response.status_code == 200
    assert response.json() == {
        "board": "week",
        "city": "",
        "page": 1,
        "results": [
            {"rank": 1, "user_id": ben.pk, "name": "Ben", "city": "Jos", "points": 50},
            {"rank": 2, "user_id": ada.pk, "name": "Ada", "city": "Kano", "points": 10},
        ],
    }
    kano = api_client.get("/api/v1/points/leaderboards/all/", {"city": "Kano"}).json()
    assert [row["name"] for row in kano["results"]] == ["Ada"]


def test_unknown_board_api_is_404_in_error_shape(api_client) -> None:
    response = api_client.get("/api/v1/points/leaderboards/year/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_me_and_hide_from_boards(api_client, reporter) -> None:
    # given a reporter with points
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    api_client.force_authenticate(reporter)

    # when they read their points and then hide from the boards
    me = api_client.get("/api/v1/points/me/").json()
    patched = api_client.patch("/api/v1/points/me/", {"hide_from_boards": True}, format="json")
    board = api_client.get("/api/v1/points/leaderboards/week/").json()

    # then they see their total and events, and they are gone from the board
    assert (me["total"], me["level"], me["tier"], me["hidden"]) == (10, 1, "viewer", False)
    assert [event["key"] for event in me["events"]] == ["vp:1"]
    assert patched.json()["hidden"] is True
    assert board["results"] == []


def test_rating_api_refuses_self_and_twice(api_client, viewer) -> None:
    # given a reporter with published work
    reporter = UserFactory(roles=["reporter"])
    video = VideoFactory(owner=reporter, state="published")
    view_record(video=video, viewer=f"u{viewer.pk}")
    api_client.force_authenticate(viewer)

    # when the viewer who watched it rates them, rates again, and the reporter rates themself
    first = api_client.post(
        "/api/v1/points/ratings/", {"reporter": reporter.pk, "stars": 5}, format="json"
    )
    twice = api_client.post(
        "/api/v1/points/ratings/", {"reporter": reporter.pk, "stars": 4}, format="json"
    )
    api_client.force_authenticate(reporter)
    self_rating = api_client.post(
        "/api/v1/points/ratings/", {"reporter": reporter.pk, "stars": 5}, format="json"
    )

    # then only the first one counts, with clear errors for the others
    assert first.status_code == 201
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "rating_twice")
    assert (self_rating.status_code, self_rating.json()["error"]["code"]) == (400, "rating_self")
    assert self_rating.json()["error"]["message"] == "You cannot rate yourself."
    assert list(ViewerRating.objects.values_list("stars", flat=True)) == [5]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"points": -10, "reason": ""}, ["reason"]),
        ({"points": 2.5, "reason": "x"}, ["points"]),
        ({"points": "ten", "reason": "x"}, ["points"]),
        ({"points": -2.5}, ["points", "reason"]),
    ],
)
def test_adjustment_api_bad_input(api_client, staff_user, reporter, payload, fields) -> None:
    api_client.force_authenticate(staff_user)

    response = api_client.post(
        "/api/v1/points/adjustments/", {"user": reporter.pk, **payload}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_adjustment"
    assert sorted(response.json()["error"]["fields"]) == fields
    assert PointEvent.objects.count() == 0


def test_adjustment_api_by_staff_and_refused_for_reporter(api_client, staff_user, reporter) -> None:
    api_client.force_authenticate(reporter)
    refused = api_client.post(
        "/api/v1/points/adjustments/",
        {"user": reporter.pk, "points": 100, "reason": "me"},
        format="json",
    )
    api_client.force_authenticate(staff_user)
    done = api_client.post(
        "/api/v1/points/adjustments/",
        {"user": reporter.pk, "points": -7, "reason": "Duplicate", "key": "adj-1"},
        format="json",
    )

    assert refused.status_code == 403
    assert done.status_code == 201
    assert (done.json()["points"], done.json()["reason"]) == (-7, "Duplicate")
    assert PointsAccount.objects.get(user=reporter).total == -7


def test_promotion_api_by_non_staff_is_refused(api_client, editor, reporter) -> None:
    api_client.force_authenticate(editor)

    response = api_client.post(
        "/api/v1/points/promotions/",
        {"user": reporter.pk, "action": "promote", "reason": "x"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert PromotionRecord.objects.count() == 0


def test_assignment_board_counts_only_that_assignment(api_client, client) -> None:
    # given deeds for assignment flood-12 (one reversed), another assignment, and a hidden user
    ada = UserFactory(display_name="Ada")
    ben = UserFactory(display_name="Ben")
    shy = UserFactory(display_name="Shy")
    points_award(user=ada, rule="video_published", obj="a1", key="a1", assignment_ref="flood-12")
    points_award(
        user=ada,
        rule="assignment_contribution",
        obj="c1",
        key="c1",
        bonus=5,
        assignment_ref="flood-12",
    )
    points_award(user=ben, rule="used_on_air", obj="b1", key="b1", assignment_ref="flood-12")
    points_reverse(event_key="b1", reason="Wrong feed")
    points_award(user=ben, rule="video_published", obj="b2", key="b2", assignment_ref="flood-12")
    points_award(user=ben, rule="used_on_air", obj="b3", key="b3", assignment_ref="market-3")
    points_award(user=shy, rule="used_on_air", obj="s1", key="s1", assignment_ref="flood-12")
    points_board_visibility_set(user=shy, hidden=True)

    # when anyone reads the assignment's board (API and page)
    response = api_client.get("/api/v1/points/leaderboards/assignment/flood-12/")
    page = client.get("/points/leaderboards/assignment/flood-12/")

    # then Ada (10 + 25) leads Ben (50 - 50 + 10), the hidden user is absent
    assert [(r["name"], r["points"]) for r in response.json()["results"]] == [
        ("Ada", 35),
        ("Ben", 10),
    ]
    body = page.content.decode()
    assert page.status_code == 200
    assert "Assignment flood-12" in body
    assert body.index("Ada") < body.index("Ben")
    assert "Shy" not in body


def test_dashboard_api_gives_staff_the_figures_and_segments(api_client, staff_user, reporter):
    # given a reporter with a paid clip and an upload in the trail
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    activity_record(user=reporter, kind="upload", obj="video:1")
    api_client.force_authenticate(staff_user)

    # when staff read the dashboard
    response = api_client.get("/api/v1/points/dashboard/")

    # then every series is there, counted
    assert response.status_code == 200
    data = response.json()
    assert data["active_reporters_by_week"][-1]["value"] == 1
    assert data["activity_by_kind"][0] == {"code": "upload", "title": "Upload", "count": 1}
    segments = {row["code"]: row["count"] for row in data["segments"]}
    assert segments["occasional_reporters"] == 1
    assert sum(segments.values()) == 2  # the reporter and the staff member
    assert data["users_per_level"][0] == {"level": 1, "users": 2}
    assert [row["code"] for row in data["tier_funnel"]] == ["viewer", "citizen", "trusted", "star"]
    assert len(data["daily_active_users"]) == 30


def test_participation_api_for_staff(api_client, staff_user, reporter):
    # given a reporter with one published clip and one live
    VideoFactory(owner=reporter, state="published")
    activity_record(user=reporter, kind="live", obj="livesource:1")
    api_client.force_authenticate(staff_user)

    # when staff read their participation
    response = api_client.get(f"/api/v1/points/participation/{reporter.pk}/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("user", "uploads", "approved", "lives", "score")} == {
        "user": reporter.pk,
        "uploads": 1,
        "approved": 1,
        "lives": 1,
        "score": 5,
    }


@pytest.mark.parametrize("url", ["/api/v1/points/dashboard/", "/api/v1/points/participation/{id}/"])
def test_dashboard_and_participation_api_refuse_non_staff(api_client, editor, reporter, url):
    # given an editor (not staff) and anonymous
    target = url.format(id=reporter.pk)

    # when
    anonymous = api_client.get(target)
    api_client.force_authenticate(editor)
    refused = api_client.get(target)

    # then
    assert anonymous.status_code in (401, 403)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only staff can see the dashboard."
