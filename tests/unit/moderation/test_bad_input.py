"""Moderation's bad input, the cases other tests leave out: each refusal is clear and changes nothing
(case, video, appeal, report, trust, audit log and notifications are compared before and after)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from community.models import Notification
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.videos.models import Video
from moderation import services
from moderation.models import Appeal, AuditEntry, Case, Report, TrustedReporter
from tests.factories import UserFactory
from tests.unit.moderation.factories import pending_case, published_video

pytestmark = pytest.mark.django_db


def _world() -> tuple:
    """Everything moderation can change, as plain values."""
    return (
        sorted(
            Case.objects.values_list(
                "id", "kind", "status", "decision", "claimed_by_id", "reason_text"
            )
        ),
        sorted(Video.objects.values_list("id", "state", "state_reason", "title", "description")),
        Appeal.objects.count(),
        Report.objects.count(),
        TrustedReporter.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _rejected(editor) -> Case:
    case = pending_case(title="Night clip")
    services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="quality")
    return case


def test_the_editor_who_decided_cannot_decide_the_appeal(editor):
    # given
    case = _rejected(editor)
    appeal = services.appeal_create(user=case.video.owner, video_id=case.video_id, note="Look.")
    before = _world()

    # when
    with pytest.raises(PermissionDenied) as refused:
        services.case_decide(case_id=appeal.case_id, editor=editor, decision="overturn")

    # then
    assert refused.value.code == "own_decision"
    assert refused.value.message == (
        "You made the decision under appeal: another editor must review the appeal."
    )
    assert _world() == before


def test_an_appeal_note_longer_than_the_limit_is_refused(editor, settings):
    # given
    settings.MODERATION_TEXT_MAX_LENGTH = 10
    case = _rejected(editor)
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_create(user=case.video.owner, video_id=case.video_id, note="x" * 11)

    # then
    assert refused.value.code == "too_long"
    assert refused.value.fields == {"note": ["Keep it under 10 characters (this is 11)."]}
    assert _world() == before


def test_an_empty_appeal_note_is_refused(editor):
    # given
    case = _rejected(editor)
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_create(user=case.video.owner, video_id=case.video_id, note="   ")

    # then
    assert refused.value.message == "Please write a note."
    assert _world() == before


def test_deciding_a_report_twice_is_refused(settings, editor, viewer):
    # given
    video = published_video(title="Busy road")
    report = services.report_create(reporter=viewer, video_id=video.pk, reason="spam")
    services.case_decide(
        case_id=report.case_id, editor=editor, decision="remove", reason_code="other"
    )
    before = _world()

    # when
    with pytest.raises(services.AlreadyDecided):
        services.case_decide(case_id=report.case_id, editor=editor, decision="dismiss")

    # then
    assert _world() == before


def test_a_decision_that_does_not_fit_the_item_is_refused(editor):
    # given
    case = pending_case()
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.case_decide(case_id=case.pk, editor=editor, decision="overturn")

    # then
    assert refused.value.code == "invalid_decision"
    assert _world() == before


def test_a_report_with_an_unknown_reason_is_refused(viewer):
    # given
    video = published_video()
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.report_create(reporter=viewer, video_id=video.pk, reason="boring")

    # then
    assert refused.value.message == "Choose a reason."
    assert _world() == before


def test_reporting_the_same_video_twice_is_refused(viewer):
    # given
    video = published_video()
    services.report_create(reporter=viewer, video_id=video.pk, reason="spam")
    before = _world()

    # when
    with pytest.raises(Conflict) as refused:
        services.report_create(reporter=viewer, video_id=video.pk, reason="hate")

    # then
    assert refused.value.code == "duplicate"
    assert _world() == before


def test_resubmitting_without_a_request_or_for_someone_else_is_refused(editor):
    # given
    case = pending_case(title="Untouched")
    stranger = UserFactory(roles=["reporter"])
    before = _world()

    # when
    with pytest.raises(Conflict) as not_requested:
        services.case_resubmit(case_id=case.pk, user=case.video.owner, title="Changed")
    with pytest.raises(NotFound):
        services.case_resubmit(case_id=case.pk, user=stranger, title="Mine now")

    # then
    assert not_requested.value.code == "invalid_state"
    assert _world() == before


def test_releasing_an_item_one_does_not_hold_is_refused(editor):
    # given
    case = pending_case()
    holder = UserFactory(roles=["editor"])
    services.case_claim(case_id=case.pk, editor=holder)
    before = _world()

    # when
    with pytest.raises(Conflict) as refused:
        services.case_release(case_id=case.pk, editor=editor)

    # then
    assert refused.value.code == "not_claimed"
    assert _world() == before


def test_bulk_decisions_other_than_approve_or_reject_are_refused(editor):
    # given
    cases = [pending_case(), pending_case()]
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.cases_bulk_decide(
            case_ids=[c.pk for c in cases], editor=editor, decision="request_changes"
        )

    # then
    assert refused.value.message == "Bulk decisions are approve or reject."
    assert _world() == before


def test_only_staff_change_who_is_trusted(editor, reporter):
    # given
    before = _world()
    client = Client()
    client.force_login(editor)

    # when
    with pytest.raises(PermissionDenied) as refused:
        services.trusted_reporter_set(user_id=reporter.pk, trusted=True, staff=editor)
    page = client.post(reverse("moderation-trusted", args=[reporter.pk]), {"trusted": "1"})

    # then
    assert refused.value.message == "Only staff can change who is trusted."
    assert page.status_code == 302
    assert _world() == before


@pytest.mark.parametrize(
    "url",
    ["/moderation/audit/", "/moderation/audit/?format=csv", "/moderation/stats/"],
)
def test_editors_and_reporters_are_refused_the_staff_pages(url, editor):
    # given
    _rejected(editor)
    before = _world()
    refused = []

    # when
    for person in (editor, UserFactory(roles=["reporter"])):
        client = Client()
        client.force_login(person)
        refused.append(client.get(url).status_code)

    # then
    assert refused == [403, 403]
    assert _world() == before
