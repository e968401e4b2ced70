"""Viewer reports on comments: one queue item per comment, remove or dismiss, everyone told."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from community.comments import services as community_services
from community.models import CommentState, Notification
from community.notifications import notify
from fieldcast.core.errors import Conflict, NotFound, ValidationFailed
from moderation import services
from moderation.models import AuditEntry, Case, CaseKind, Report
from tests.factories import UserFactory
from tests.unit.moderation.factories import pending_case, published_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(viewer):
    video = published_video(title="Harbour")
    return community_services.comment_create(
        user=viewer, video_id=video.pk, body="Everyone here is a liar and a thief"
    )


def _world() -> tuple:
    return (
        sorted(Case.objects.values_list("id", "kind", "status", "decision")),
        sorted(Report.objects.values_list("id", "reporter_id", "comment_id")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def test_reports_on_a_comment_gather_in_one_queue_item(comment, editor):
    # given
    first, second = UserFactory(), UserFactory()

    # when
    one = services.report_create(reporter=first, comment_id=comment.pk, reason="hate")
    two = services.report_create(reporter=second, comment_id=comment.pk, reason="hate", text="!")

    # then
    case = Case.objects.get()
    assert (case.kind, case.comment_id, case.video_id, case.submitted_by_id) == (
        CaseKind.REPORT,
        comment.pk,
        None,
        comment.author_id,
    )
    assert one.case_id == two.case_id == case.pk
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE  # reports alone never hide a comment


def test_removing_a_reported_comment_tells_the_author_and_every_reporter(comment, editor):
    # given
    reporter_a, reporter_b = UserFactory(), UserFactory()
    report = services.report_create(reporter=reporter_a, comment_id=comment.pk, reason="hate")
    services.report_create(reporter=reporter_b, comment_id=comment.pk, reason="hate")

    # when
    services.case_decide(
        case_id=report.case_id,
        editor=editor,
        decision="remove",
        reason_code="other",
        reason_text="Insults.",
    )

    # then
    comment.refresh_from_db()
    assert comment.state == CommentState.REMOVED
    page = Client().get(f"/videos/{comment.video_id}/").content.decode()
    assert "liar and a thief" not in page
    told_author = Notification.objects.get(recipient=comment.author)
    assert notify.notification_text(told_author) == (
        "An editor removed your comment on “Harbour”. Other (see the note): Insults."
    )
    for person in (reporter_a, reporter_b):
        told = Notification.objects.get(recipient=person)
        assert notify.notification_text(told) == (
            "Thank you for your report on “Everyone here is a liar and a thief”: "
            "we took action: Other (see the note): Insults.."
        )
    entry = AuditEntry.objects.get(case_id=report.case_id, action="decide")
    assert (entry.before["comment_state"], entry.after["comment_state"]) == ("visible", "removed")


def test_dismissing_reports_keeps_the_comment(comment, editor, viewer):
    # given
    reporter = UserFactory()
    report = services.report_create(reporter=reporter, comment_id=comment.pk, reason="spam")

    # when
    services.case_decide(case_id=report.case_id, editor=editor, decision="dismiss")

    # then
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
    told = Notification.objects.get(recipient=reporter)
    assert notify.notification_text(told).endswith("we reviewed it and it stays up.")
    assert not Notification.objects.filter(recipient=viewer).exists()


def test_one_cannot_report_ones_own_comment_or_twice(comment, viewer):
    # given
    other = UserFactory()
    services.report_create(reporter=other, comment_id=comment.pk, reason="spam")
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as own:
        services.report_create(reporter=viewer, comment_id=comment.pk, reason="spam")
    with pytest.raises(Conflict) as twice:
        services.report_create(reporter=other, comment_id=comment.pk, reason="hate")

    # then
    assert (own.value.code, own.value.message) == (
        "own_content",
        "You cannot report your own comment.",
    )
    assert twice.value.code == "duplicate"
    assert _world() == before


def test_hidden_or_gone_comments_cannot_be_reported(settings, editor):
    # given a held comment, a removed one (and an id that does not exist)
    settings.MODERATION_TERM_LISTS = {"default": ["spam"]}
    author = UserFactory()
    video = published_video()
    held = community_services.comment_create(user=author, video_id=video.pk, body="spam spam")
    gone = community_services.comment_create(user=author, video_id=video.pk, body="fine words")
    community_services.comment_remove(user=editor, comment_id=gone.pk)
    before = _world()

    # when / then
    for comment_id in (held.pk, gone.pk, 999_999):
        with pytest.raises(NotFound) as refused:
            services.report_create(reporter=UserFactory(), comment_id=comment_id, reason="spam")
        assert refused.value.message == "We could not find that comment."
    assert _world() == before


def test_a_report_names_exactly_one_thing(comment):
    # given
    video = pending_case().video
    before = _world()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.report_create(
            reporter=UserFactory(), comment_id=comment.pk, video_id=video.pk, reason="spam"
        )

    # then
    assert refused.value.message == "Report one video, comment or person."
    assert _world() == before


def test_removing_a_comment_already_removed_elsewhere_is_refused(comment, editor):
    # given reports, then another editor removes the comment on the watch page
    report = services.report_create(reporter=UserFactory(), comment_id=comment.pk, reason="hate")
    community_services.comment_remove(user=UserFactory(roles=["editor"]), comment_id=comment.pk)
    before = _world()

    # when
    with pytest.raises(services.AlreadyDecided) as refused:
        services.case_decide(
            case_id=report.case_id, editor=editor, decision="remove", reason_code="other"
        )

    # then
    assert refused.value.message == "This comment is no longer shown."
    assert _world() == before


def test_the_report_link_and_page_work_for_a_comment(client, comment):
    # given
    reporter = UserFactory()
    client.force_login(reporter)
    watch = client.get(f"/videos/{comment.video_id}/").content.decode()
    url = reverse("moderation-report-comment", args=[comment.pk])

    # when
    form = client.get(url).content.decode()
    sent = client.post(url, {"reason": "hate", "text": "Insults people."})

    # then
    assert f'href="{url}"' in watch
    assert "Report “Everyone here is a liar and a thief”" in form
    assert sent.status_code == 302
    assert Report.objects.get().comment_id == comment.pk


def test_the_report_api_takes_a_comment(api_client, comment):
    # given
    api_client.force_authenticate(UserFactory())

    # when
    response = api_client.post(
        "/api/v1/moderation/reports/",
        {"comment": comment.pk, "reason": "hate"},
        format="json",
    )

    # then
    assert response.status_code == 201
    assert Case.objects.get(pk=response.json()["case"]).comment_id == comment.pk
