"""Viewer reports (threshold hides, outcomes told) and appeals (once, to another editor)."""

from __future__ import annotations

import pytest

from community.models import Notification
from community.notifications import notify
from fieldcast.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from moderation import selectors, services
from moderation.models import AuditEntry, Case, Report
from tests.factories import UserFactory
from tests.unit.moderation.factories import (
    latest_notice_text,
    notice_text,
    pending_case,
    published_video,
)

pytestmark = pytest.mark.django_db


def test_reports_from_enough_distinct_people_hide_the_video(settings):
    # given
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    video = published_video()
    first, second = UserFactory(), UserFactory()
    # when
    services.report_create(reporter=first, video_id=video.pk, reason="misleading")
    video.refresh_from_db()
    after_one = video.state
    services.report_create(reporter=second, video_id=video.pk, reason="spam", text="ad")
    # then
    video.refresh_from_db()
    assert (after_one, video.state) == ("published", "hidden")
    case = Case.objects.get(kind="report")
    assert case.reports.count() == 2
    assert "auto_hide" in AuditEntry.objects.values_list("action", flat=True)


def test_same_person_reporting_twice_does_not_count_twice(settings):
    # given
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    video = published_video()
    viewer = UserFactory()
    services.report_create(reporter=viewer, video_id=video.pk, reason="misleading")
    # when
    with pytest.raises(Conflict):
        services.report_create(reporter=viewer, video_id=video.pk, reason="spam")
    # then
    video.refresh_from_db()
    assert (video.state, Report.objects.count()) == ("published", 1)


def test_report_on_ones_own_video_is_refused(reporter):
    # given
    video = published_video(owner=reporter)
    # when
    with pytest.raises(ValidationFailed) as refused:
        services.report_create(reporter=reporter, video_id=video.pk, reason="spam")
    # then
    assert (refused.value.code, refused.value.message) == (
        "own_content",
        "You cannot report your own video.",
    )
    video.refresh_from_db()
    assert (video.state, Report.objects.count(), Case.objects.count()) == ("published", 0, 0)


def test_report_on_a_video_not_published_is_not_found(viewer):
    # given
    case = pending_case()
    # when / then
    with pytest.raises(NotFound):
        services.report_create(reporter=viewer, video_id=case.video_id, reason="spam")
    assert Report.objects.count() == 0


def test_reports_are_rate_limited(settings, viewer):
    # given
    settings.MODERATION_REPORTS_PER_HOUR = 2
    videos = [published_video() for _ in range(3)]
    services.report_create(reporter=viewer, video_id=videos[0].pk, reason="spam")
    services.report_create(reporter=viewer, video_id=videos[1].pk, reason="spam")
    # when
    with pytest.raises(RateLimited):
        services.report_create(reporter=viewer, video_id=videos[2].pk, reason="spam")
    # then
    assert Report.objects.count() == 2


def test_report_text_longer_than_the_limit_is_refused(settings, viewer):
    # given
    settings.MODERATION_TEXT_MAX_LENGTH = 5
    video = published_video()
    # when
    with pytest.raises(ValidationFailed):
        services.report_create(reporter=viewer, video_id=video.pk, reason="spam", text="123456")
    # then
    assert Report.objects.count() == 0


def test_removal_after_reports_tells_reporters_and_uploader(settings, editor):
    # given
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 1
    video = published_video(title="Fake flood")
    viewer = UserFactory()
    report = services.report_create(reporter=viewer, video_id=video.pk, reason="misleading")
    # when
    services.case_decide(
        case_id=report.case_id,
        editor=editor,
        decision="remove",
        reason_code="unverifiable",
        reason_text="Old footage.",
    )
    # then
    video.refresh_from_db()
    assert (video.state, video.state_reason) == (
        "removed",
        "Could not be verified: Old footage.",
    )
    assert notice_text(viewer) == (
        "Thank you for your report on “Fake flood”: we took action: "
        "Could not be verified: Old footage.."
    )
    told_owner = [
        notify.notification_text(n)
        for n in Notification.objects.filter(recipient=video.owner).order_by("id")
    ]
    assert told_owner == [
        "“Fake flood” is hidden while editors check viewer reports.",
        "“Fake flood” was removed after viewer reports. Reason: Could not be verified: "
        "Old footage. — you may appeal once.",
    ]


def test_dismissing_reports_brings_a_hidden_video_back(settings, editor):
    # given
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 1
    video = published_video(title="Real")
    viewer = UserFactory()
    report = services.report_create(reporter=viewer, video_id=video.pk, reason="misleading")
    # when
    services.case_decide(case_id=report.case_id, editor=editor, decision="dismiss")
    # then
    video.refresh_from_db()
    assert video.state == "published"
    assert notice_text(viewer) == (
        "Thank you for your report on “Real”: we reviewed it and it stays up."
    )


def test_user_reports_open_a_case_and_self_reports_are_refused(viewer):
    # given
    target = UserFactory(roles=["reporter"])
    # when
    report = services.report_create(reporter=viewer, user_id=target.pk, reason="hate")
    with pytest.raises(ValidationFailed):
        services.report_create(reporter=viewer, user_id=viewer.pk, reason="hate")
    # then
    assert (report.case.kind, report.case.reported_user) == ("report", target)
    assert Report.objects.count() == 1


def _rejected(editor):
    case = pending_case(title="Rejected clip")
    services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="quality")
    case.video.refresh_from_db()
    return case


def test_appeal_goes_to_another_editor_who_may_overturn(editor):
    # given
    case = _rejected(editor)
    owner = case.video.owner
    appeal = services.appeal_create(user=owner, video_id=case.video_id, note="It is clear.")
    second = UserFactory(roles=["editor"])
    # when
    with pytest.raises(PermissionDenied) as own:
        services.case_claim(case_id=appeal.case_id, editor=editor)
    services.case_decide(case_id=appeal.case_id, editor=second, decision="overturn")
    # then
    assert own.value.code == "own_decision"
    case.video.refresh_from_db()
    assert case.video.state == "published"
    assert latest_notice_text(owner) == (
        "Your appeal on “Rejected clip” was granted: it is published."
    )


def test_appeal_only_once(editor):
    # given
    case = _rejected(editor)
    owner = case.video.owner
    services.appeal_create(user=owner, video_id=case.video_id, note="Please.")
    # when
    with pytest.raises(Conflict) as refused:
        services.appeal_create(user=owner, video_id=case.video_id, note="Again.")
    # then
    assert refused.value.code == "already_appealed"
    assert Case.objects.filter(kind="appeal").count() == 1


def test_appeal_of_published_content_is_refused(reporter):
    # given
    video = published_video(owner=reporter)
    # when
    with pytest.raises(Conflict) as refused:
        services.appeal_create(user=reporter, video_id=video.pk, note="Why?")
    # then
    assert refused.value.code == "not_appealable"
    video.refresh_from_db()
    assert video.state == "published"
    assert Case.objects.filter(kind="appeal").count() == 0


def test_appeal_by_someone_else_is_not_found(editor):
    # given
    case = _rejected(editor)
    stranger = UserFactory(roles=["reporter"])
    # when / then
    with pytest.raises(NotFound):
        services.appeal_create(user=stranger, video_id=case.video_id, note="Mine?")
    assert Case.objects.filter(kind="appeal").count() == 0


def test_the_appeal_is_not_in_the_deciding_editors_queue(editor):
    # given
    case = _rejected(editor)
    appeal = services.appeal_create(user=case.video.owner, video_id=case.video_id, note="Again")
    second = UserFactory(roles=["editor"])
    # when
    for_first = list(selectors.queue_cases(editor=editor, kind="appeal"))
    for_second = list(selectors.queue_cases(editor=second, kind="appeal"))
    # then
    assert (for_first, [c.pk for c in for_second]) == ([], [appeal.case_id])
