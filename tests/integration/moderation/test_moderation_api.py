"""The moderation API and pages: permissions, decisions, clear errors with no state change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import AuditEntry, Case
from tests.factories import UserFactory
from tests.unit.moderation.factories import notice_text, pending_case, published_video

pytestmark = pytest.mark.django_db

EDITOR_ENDPOINTS = [
    ("get", "api-moderation-queue", False),
    ("get", "api-moderation-case", True),
    ("post", "api-moderation-claim", True),
    ("delete", "api-moderation-claim", True),
    ("post", "api-moderation-decision", True),
    ("post", "api-moderation-bulk", False),
]
STAFF_ENDPOINTS = [("get", "api-moderation-audit", False), ("get", "api-moderation-stats", False)]
EDITOR_PAGES = [
    ("get", "moderation-queue", False),
    ("get", "moderation-case", True),
    ("post", "moderation-claim", True),
    ("post", "moderation-release", True),
    ("post", "moderation-decide", True),
    ("post", "moderation-bulk", False),
]


def _state(case: Case) -> tuple:
    case.refresh_from_db()
    case.video.refresh_from_db()
    return (case.status, case.claimed_by_id, case.decision, case.video.state)


@pytest.mark.parametrize(("method", "name", "with_case"), EDITOR_ENDPOINTS + STAFF_ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "viewer", "reporter"])
def test_non_editors_get_a_clear_error_from_every_moderation_endpoint(
    api_client, method, name, with_case, who
):
    # given
    case = pending_case()
    before = _state(case)
    if who != "anonymous":
        api_client.force_authenticate(UserFactory(roles=[] if who == "viewer" else ["reporter"]))
    url = reverse(name, args=[case.pk] if with_case else [])
    body = {"decision": "approve", "cases": [case.pk]}
    # when
    response = getattr(api_client, method)(url, body, format="json")
    # then
    expected = (401, "not_authenticated") if who == "anonymous" else (403, "permission_denied")
    assert (response.status_code, response.json()["error"]["code"]) == expected
    assert _state(case) == before
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("method", "name", "with_case"), STAFF_ENDPOINTS)
def test_editors_without_staff_cannot_read_the_audit_log_or_stats(
    api_client, editor, method, name, with_case
):
    # given
    api_client.force_authenticate(editor)
    # when
    response = getattr(api_client, method)(reverse(name))
    # then
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")


@pytest.mark.parametrize(("method", "name", "with_case"), EDITOR_PAGES)
def test_reporters_are_refused_every_moderation_page(client, method, name, with_case):
    # given
    case = pending_case()
    before = _state(case)
    client.force_login(UserFactory(roles=["reporter"]))
    url = reverse(name, args=[case.pk] if with_case else [])
    # when
    response = getattr(client, method)(url, {"decision": "approve", "case": [case.pk]})
    # then
    assert response.status_code == 403
    assert _state(case) == before


def test_editor_lists_the_queue_claims_and_approves_through_the_api(api_client, editor):
    # given
    case = pending_case(title="Protest at the square")
    api_client.force_authenticate(editor)
    # when
    listed = api_client.get(reverse("api-moderation-queue"))
    claimed = api_client.post(reverse("api-moderation-claim", args=[case.pk]))
    decided = api_client.post(
        reverse("api-moderation-decision", args=[case.pk]),
        {"decision": "approve", "verification": "disputed"},
        format="json",
    )
    # then
    assert [item["id"] for item in listed.json()["results"]] == [case.pk]
    assert claimed.json()["claimed_by"] == editor.public_name
    assert decided.status_code == 200
    assert (decided.json()["decision"], decided.json()["verification"]) == ("approve", "disputed")
    assert decided.json()["video_state"] == "published"


def test_approving_an_item_another_editor_holds_is_refused(api_client, editor):
    # given
    case = pending_case()
    holder = UserFactory(roles=["editor"], display_name="Ada")
    services.case_claim(case_id=case.pk, editor=holder)
    before = _state(case)
    api_client.force_authenticate(editor)
    # when
    response = api_client.post(
        reverse("api-moderation-decision", args=[case.pk]), {"decision": "approve"}, format="json"
    )
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "claimed"
    assert error["message"].startswith("Ada is reviewing this item until ")
    assert _state(case) == before


def test_deciding_twice_through_the_api_is_refused(api_client, editor):
    # given
    case = pending_case()
    api_client.force_authenticate(editor)
    url = reverse("api-moderation-decision", args=[case.pk])
    api_client.post(url, {"decision": "approve"}, format="json")
    before = _state(case)
    # when
    response = api_client.post(url, {"decision": "reject", "reason_code": "quality"}, format="json")
    # then
    assert (response.status_code, response.json()["error"]["code"]) == (409, "already_decided")
    assert _state(case) == before


def test_reason_longer_than_the_limit_is_refused_by_the_api(api_client, editor, settings):
    # given
    settings.MODERATION_TEXT_MAX_LENGTH = 10
    case = pending_case()
    before = _state(case)
    api_client.force_authenticate(editor)
    # when
    response = api_client.post(
        reverse("api-moderation-decision", args=[case.pk]),
        {"decision": "reject", "reason_code": "quality", "reason_text": "y" * 11},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_long"
    assert response.json()["error"]["fields"] == {
        "reason_text": ["Keep it under 10 characters (this is 11)."]
    }
    assert _state(case) == before


def test_bulk_api_reports_each_outcome(api_client, editor):
    # given
    first, second = pending_case(), pending_case()
    api_client.force_authenticate(editor)
    # when
    response = api_client.post(
        reverse("api-moderation-bulk"),
        {"cases": [first.pk, second.pk], "decision": "reject", "reason_code": "not_news"},
        format="json",
    )
    # then
    assert response.json()["results"] == [
        {"case": first.pk, "ok": True, "code": "", "message": ""},
        {"case": second.pk, "ok": True, "code": "", "message": ""},
    ]
    assert _state(first)[3] == "rejected"
    assert _state(second)[3] == "rejected"


def test_queue_page_shows_items_and_claims_to_editors(client, editor):
    # given
    free = pending_case(title="Free item")
    held = pending_case(title="Held item")
    services.case_claim(case_id=held.pk, editor=UserFactory(roles=["editor"], display_name="Bo"))
    client.force_login(editor)
    # when
    response = client.get(reverse("moderation-queue"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Free item" in html
    assert "Held item" in html
    assert html.count('data-testid="claim-badge"') == 1
    assert "Bo until" in html
    assert free.pk != held.pk


def test_queue_orders_by_priority_with_trusted_reporters_first(api_client, editor, staff_user):
    # given
    trusted_owner = UserFactory(roles=["reporter"])
    older = pending_case()
    newer_trusted = pending_case(owner=trusted_owner)
    services.trusted_reporter_set(user_id=trusted_owner.pk, trusted=True, staff=staff_user)
    api_client.force_authenticate(editor)
    # when
    newest = api_client.get(reverse("api-moderation-queue"))
    by_priority = api_client.get(reverse("api-moderation-queue"), {"order": "priority"})
    # then
    assert [i["id"] for i in newest.json()["results"]] == [newer_trusted.pk, older.pk]
    assert [i["id"] for i in by_priority.json()["results"]] == [newer_trusted.pk, older.pk]


def test_queue_filters_by_kind_flag_and_reporter(api_client, editor):
    # given
    owner = UserFactory(roles=["reporter"])
    mine = pending_case(owner=owner)
    other = pending_case()
    services.case_open_for_video(video_id=other.video_id, flags=["term"])
    api_client.force_authenticate(editor)
    url = reverse("api-moderation-queue")
    # when
    by_reporter = api_client.get(url, {"reporter": owner.pk}).json()["results"]
    by_flag = api_client.get(url, {"flag": "term"}).json()["results"]
    by_kind = api_client.get(url, {"kind": "appeal"}).json()["results"]
    # then
    assert [i["id"] for i in by_reporter] == [mine.pk]
    assert [i["id"] for i in by_flag] == [other.pk]
    assert by_kind == []


def test_review_page_shows_history_and_capture_metadata_to_editors(client, editor):
    # given
    case = pending_case(capture_metadata={"make": "Tecno", "gps": "6.45,3.39"})
    published_video(owner=case.video.owner)
    client.force_login(editor)
    # when
    response = client.get(reverse("moderation-case", args=[case.pk]))
    # then
    html = response.content.decode()
    assert "1 approved, 0 rejected, 0 removed" in html
    assert "Tecno" in html
    assert 'data-testid="decide-approve"' in html


def test_page_decision_rejects_with_reason_and_notifies(client, editor):
    # given
    case = pending_case(title="Dark clip")
    client.force_login(editor)
    # when
    response = client.post(
        reverse("moderation-decide", args=[case.pk]),
        {"decision": "reject", "reason_code": "quality", "reason_text": "Too dark."},
    )
    # then
    assert response.status_code == 302
    assert _state(case)[3] == "rejected"
    assert notice_text(case.video.owner).startswith("“Dark clip” was not")


def test_report_api_refuses_a_report_on_ones_own_video(api_client, reporter):
    # given
    video = published_video(owner=reporter)
    api_client.force_authenticate(reporter)
    # when
    response = api_client.post(
        reverse("api-moderation-reports"), {"video": video.pk, "reason": "spam"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "own_content",
        "message": "You cannot report your own video.",
        "fields": {},
    }
    video.refresh_from_db()
    assert (video.state, Case.objects.count()) == ("published", 0)


def test_report_api_needs_a_login(api_client):
    # given
    video = published_video()
    # when
    response = api_client.post(
        reverse("api-moderation-reports"), {"video": video.pk, "reason": "spam"}, format="json"
    )
    # then
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
    assert Case.objects.count() == 0


def test_appeal_api_refuses_published_content_and_accepts_a_rejection(api_client, editor):
    # given
    rejected = pending_case(title="To appeal")
    services.case_decide(
        case_id=rejected.pk, editor=editor, decision="reject", reason_code="quality"
    )
    owner = rejected.video.owner
    live = published_video(owner=owner)
    api_client.force_authenticate(owner)
    url = reverse("api-moderation-appeals")
    # when
    refused = api_client.post(url, {"video": live.pk, "note": "Why?"}, format="json")
    accepted = api_client.post(
        url, {"video": rejected.video_id, "note": "Look again."}, format="json"
    )
    # then
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_appealable")
    assert accepted.status_code == 201
    live.refresh_from_db()
    assert live.state == "published"
    assert Case.objects.filter(kind="appeal").count() == 1


def test_notices_api_lists_a_persons_outcomes(api_client, editor):
    # given
    case = pending_case(title="Told")
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    api_client.force_authenticate(case.video.owner)
    # when
    body = api_client.get(reverse("api-moderation-notices")).json()
    # then
    assert [n["message"] for n in body["results"]] == ["“Told” was approved and published."]


def test_trusted_api_is_for_staff_only(api_client, editor, staff_user, reporter):
    # given
    api_client.force_authenticate(editor)
    url = reverse("api-moderation-trusted", args=[reporter.pk])
    # when
    refused = api_client.put(url, {"trusted": True}, format="json")
    api_client.force_authenticate(staff_user)
    accepted = api_client.put(url, {"trusted": True}, format="json")
    # then
    assert (refused.status_code, accepted.json()) == (403, {"user": reporter.pk, "trusted": True})


def test_report_page_shows_the_refusal_for_ones_own_video(client, reporter):
    # given
    video = published_video(owner=reporter)
    client.force_login(reporter)
    # when
    response = client.post(
        reverse("moderation-report-video", args=[video.pk]), {"reason": "spam", "text": ""}
    )
    # then
    assert response.status_code == 400
    assert "You cannot report your own video." in response.content.decode()
    assert Case.objects.count() == 0


def test_reporter_resubmits_after_a_request_for_changes_from_the_notices_page(client, editor):
    # given
    case = pending_case(title="Needs place")
    services.case_decide(
        case_id=case.pk, editor=editor, decision="request_changes", reason_text="Where is it?"
    )
    client.force_login(case.video.owner)
    page = client.get(reverse("moderation-notices")).content.decode()
    # when
    client.post(
        reverse("moderation-resubmit", args=[case.pk]),
        {"title": "Needs place", "description": "Ibadan, Dugbe market."},
    )
    # then
    assert "Where is it?" in page
    assert _state(case)[0] == "open"
    assert case.video.description == "Ibadan, Dugbe market."


@pytest.mark.parametrize("items", [1, 8])
def test_queue_api_query_count_does_not_grow_with_the_queue(
    api_client, editor, items, django_assert_max_num_queries
):
    # given
    for _ in range(items):
        pending_case()
    api_client.force_authenticate(editor)
    # when (the three syncs: pending videos, live sources, held comments, then the page of cases)
    with django_assert_max_num_queries(15):
        response = api_client.get(reverse("api-moderation-queue"))
    # then
    assert response.json()["count"] == items


def test_queue_page_query_count_does_not_grow_with_the_queue(
    client, editor, django_assert_max_num_queries
):
    # given
    for _ in range(8):
        pending_case()
    client.force_login(editor)
    # when (a constant part: session, roles, the three syncs, the bell; then the page of cases)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("moderation-queue"))
    # then
    assert response.content.decode().count('data-testid="queue-item"') == 8
