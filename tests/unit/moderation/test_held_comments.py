"""Held comments are items of the one moderation queue: approve shows them, remove takes them away."""

from __future__ import annotations

import pytest
from django.test import Client

from community.comments import services as community_services
from community.models import CommentAction, CommentState, Notification
from community.notifications import notify
from fieldcast.core.errors import PermissionDenied
from moderation import selectors, services
from moderation.models import AuditEntry, Case, CaseKind, CaseStatus
from tests.factories import UserFactory
from tests.unit.moderation.factories import published_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(settings, viewer):
    """A comment the term filter held on a published video."""
    settings.MODERATION_TERM_LISTS = {"default": ["spam"]}
    video = published_video(title="Market fire")
    comment = community_services.comment_create(
        user=viewer, video_id=video.pk, body="buy spam here"
    )
    assert comment.state == CommentState.HELD
    return comment


def _comment_case(comment) -> Case:
    services.cases_sync_held_comments()
    return Case.objects.get(kind=CaseKind.COMMENT, comment=comment, status=CaseStatus.OPEN)


def _snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    case.comment.refresh_from_db()
    return (
        case.status,
        case.decision,
        case.comment.state,
        AuditEntry.objects.count(),
        CommentAction.objects.count(),
        Notification.objects.count(),
    )


def test_a_held_comment_appears_in_the_queue_with_its_author_and_term_flag(held, editor):
    # when
    opened = services.cases_sync_held_comments()
    again = services.cases_sync_held_comments()

    # then
    cases = list(selectors.queue_cases(editor=editor, kind=CaseKind.COMMENT))
    assert (opened, again) == (1, 0)
    assert [(c.comment_id, c.submitted_by_id, c.flags) for c in cases] == [
        (held.pk, held.author_id, ["term"])
    ]


def test_editor_approves_a_held_comment_and_it_shows(held, editor):
    # given
    case = _comment_case(held)

    # when
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")

    # then
    held.refresh_from_db()
    case.refresh_from_db()
    assert held.state == CommentState.VISIBLE
    assert (case.status, case.decision, case.decided_by) == ("decided", "approve", editor)
    entry = AuditEntry.objects.get(case=case, action="decide")
    assert (entry.actor, entry.before["comment_state"], entry.after["comment_state"]) == (
        editor,
        "held",
        "visible",
    )
    page = Client().get(f"/videos/{held.video_id}/").content.decode()
    assert "buy spam here" in page
    told = Notification.objects.get(recipient=held.video.owner)
    assert (told.kind, told.comment_id) == ("video_commented", held.pk)


def test_editor_removes_a_held_comment_and_the_author_hears_why(held, editor):
    # given
    case = _comment_case(held)

    # when
    services.case_decide(
        case_id=case.pk,
        editor=editor,
        decision="remove",
        reason_code="other",
        reason_text="Advertising.",
    )

    # then
    held.refresh_from_db()
    assert held.state == CommentState.REMOVED
    action = CommentAction.objects.get(comment=held)
    assert (action.action, action.actor, action.reason) == (
        "remove",
        editor,
        "Other (see the note): Advertising.",
    )
    entry = AuditEntry.objects.get(case=case, action="decide")
    assert (entry.reason, entry.after["comment_state"]) == (
        "Other (see the note): Advertising.",
        "removed",
    )
    told = Notification.objects.get(recipient=held.author)
    assert notify.notification_text(told) == (
        "An editor removed your comment on “Market fire”. Other (see the note): Advertising."
    )
    page = Client().get(f"/videos/{held.video_id}/").content.decode()
    assert "buy spam here" not in page


def test_deciding_a_held_comment_twice_is_refused_and_changes_nothing(held, editor):
    # given
    case = _comment_case(held)
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    before = _snapshot(case)

    # when
    with pytest.raises(services.AlreadyDecided) as refused:
        services.case_decide(case_id=case.pk, editor=editor, decision="remove", reason_code="other")

    # then
    assert refused.value.message == "This item has already been decided."
    assert _snapshot(case) == before


def test_a_non_editor_cannot_decide_a_held_comment(held, reporter):
    # given
    case = _comment_case(held)
    before = _snapshot(case)

    # when
    with pytest.raises(PermissionDenied) as refused:
        services.case_decide(case_id=case.pk, editor=reporter, decision="approve")

    # then
    assert refused.value.message == "Only editors can moderate content."
    assert _snapshot(case) == before


def test_a_comment_approved_on_the_video_page_closes_its_queue_item(held, editor):
    # given
    case = _comment_case(held)
    community_services.comment_approve(user=editor, comment_id=held.pk)

    # when
    services.cases_sync_held_comments()

    # then
    case.refresh_from_db()
    assert (case.status, case.decision) == ("decided", "closed")
    assert AuditEntry.objects.get(case=case, action="decide").actor is None


def test_a_comment_removed_elsewhere_refuses_a_late_queue_decision(held, editor):
    # given an editor opened the item, then another removed the comment on the video page
    case = _comment_case(held)
    community_services.comment_remove(user=UserFactory(roles=["editor"]), comment_id=held.pk)
    audit_before = AuditEntry.objects.count()

    # when
    with pytest.raises(services.AlreadyDecided) as refused:
        services.case_decide(case_id=case.pk, editor=editor, decision="approve")

    # then
    held.refresh_from_db()
    case.refresh_from_db()
    assert refused.value.message == "This comment is no longer waiting for review."
    assert (held.state, case.status, AuditEntry.objects.count()) == (
        "removed",
        "open",
        audit_before,
    )


def test_the_old_held_comments_address_shows_the_filtered_queue(held, editor):
    # given
    client = Client()
    client.force_login(editor)

    # when
    response = client.get("/community/held/")
    page = client.get(response["Location"]).content.decode()

    # then
    assert response["Location"] == "/moderation/?kind=comment"
    assert "buy spam here" in page
    assert 'data-testid="queue-item"' in page
