"""Claims and decisions on queue items: approve, reject, request changes, bulk, bad input."""

from __future__ import annotations

import pytest

from fieldcast.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from fieldcast.points.models import PointsAccount
from moderation import services
from moderation.models import AuditEntry, Case, CaseStatus
from tests.factories import UserFactory
from tests.unit.moderation.factories import notice_text, pending_case

pytestmark = pytest.mark.django_db


def test_sync_opens_one_case_per_pending_video(reporter):
    # given
    case = pending_case(owner=reporter)
    # when
    created_again = services.cases_sync_pending_videos()
    # then
    assert created_again == 0
    assert (case.kind, case.status, case.submitted_by) == ("video", "open", reporter)
    assert Case.objects.count() == 1


def test_editor_approves_with_edits_and_verification(editor):
    # given
    case = pending_case(title="Flood at the bridge")
    # when
    services.case_decide(
        case_id=case.pk,
        editor=editor,
        decision="approve",
        verification="verified",
        title="Flood at the old bridge",
    )
    # then
    case.refresh_from_db()
    video = case.video
    video.refresh_from_db()
    assert (video.state, video.title, video.verification_note) == (
        "published",
        "Flood at the old bridge",
        "verified",
    )
    assert (case.status, case.decision, case.verification, case.decided_by) == (
        "decided",
        "approve",
        "verified",
        editor,
    )
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "before", "after"))
    assert entries[0] == (
        "edit",
        {"title": "Flood at the bridge"},
        {"title": "Flood at the old bridge"},
    )
    assert entries[1][0] == "decide"
    assert entries[1][2]["video_state"] == "published"
    assert notice_text(video.owner) == ("“Flood at the old bridge” was approved and published.")


def test_editor_rejects_with_reason_and_the_reporter_reads_it(editor):
    # given
    case = pending_case(title="Blurry")
    # when
    services.case_decide(
        case_id=case.pk,
        editor=editor,
        decision="reject",
        reason_code="quality",
        reason_text="Nothing is visible.",
    )
    # then
    case.video.refresh_from_db()
    assert case.video.state == "rejected"
    assert case.video.state_reason == "Picture or sound too poor: Nothing is visible."
    assert notice_text(case.video.owner) == (
        "“Blurry” was not published. Reason: Picture or sound too poor: Nothing is visible. "
        "— you may appeal once."
    )


def test_request_changes_waits_for_the_reporter_then_returns_to_the_queue(editor):
    # given
    case = pending_case(title="Market")
    # when
    services.case_decide(
        case_id=case.pk, editor=editor, decision="request_changes", reason_text="Add the place."
    )
    case.refresh_from_db()
    waiting = case.status
    services.case_resubmit(case_id=case.pk, user=case.video.owner, description="Kano market.")
    # then
    case.refresh_from_db()
    case.video.refresh_from_db()
    assert waiting == "changes_requested"
    assert (case.status, case.video.state, case.video.description) == (
        "open",
        "pending_review",
        "Kano market.",
    )


def test_claim_blocks_another_editor_from_deciding(editor):
    # given
    case = pending_case()
    other = UserFactory(roles=["editor"])
    services.case_claim(case_id=case.pk, editor=other)
    # when
    with pytest.raises(services.CaseClaimed) as refused:
        services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    # then
    assert refused.value.code == "claimed"
    assert refused.value.message.startswith(f"{other.public_name} is reviewing this item until ")
    case.refresh_from_db()
    case.video.refresh_from_db()
    assert (case.status, case.claimed_by, case.video.state) == ("open", other, "pending_review")


def test_second_claim_by_another_editor_is_refused_sequentially(editor):
    # given
    case = pending_case()
    other = UserFactory(roles=["editor"])
    services.case_claim(case_id=case.pk, editor=editor)
    # when
    with pytest.raises(services.CaseClaimed):
        services.case_claim(case_id=case.pk, editor=other)
    # then
    case.refresh_from_db()
    assert case.claimed_by == editor
    assert list(AuditEntry.objects.values_list("action", "actor")) == [("claim", editor.pk)]


def test_claim_can_be_released_and_taken_by_another(editor):
    # given
    case = pending_case()
    other = UserFactory(roles=["editor"])
    services.case_claim(case_id=case.pk, editor=editor)
    # when
    services.case_release(case_id=case.pk, editor=editor)
    services.case_claim(case_id=case.pk, editor=other)
    # then
    case.refresh_from_db()
    assert case.claimed_by == other


def test_deciding_twice_is_refused_and_changes_nothing(editor):
    # given
    case = pending_case()
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    entries = AuditEntry.objects.count()
    # when
    with pytest.raises(services.AlreadyDecided):
        services.case_decide(
            case_id=case.pk, editor=editor, decision="reject", reason_code="quality"
        )
    # then
    case.refresh_from_db()
    case.video.refresh_from_db()
    assert (case.decision, case.video.state) == ("approve", "published")
    assert AuditEntry.objects.count() == entries


def test_reason_longer_than_the_limit_is_refused(editor, settings):
    # given
    settings.MODERATION_TEXT_MAX_LENGTH = 20
    case = pending_case()
    # when
    with pytest.raises(ValidationFailed) as refused:
        services.case_decide(
            case_id=case.pk,
            editor=editor,
            decision="reject",
            reason_code="quality",
            reason_text="x" * 21,
        )
    # then
    assert refused.value.code == "too_long"
    assert refused.value.fields == {"reason_text": ["Keep it under 20 characters (this is 21)."]}
    case.refresh_from_db()
    case.video.refresh_from_db()
    assert (case.status, case.video.state, case.video.state_reason) == (
        "open",
        "pending_review",
        "",
    )


def test_unknown_reason_code_is_refused(editor):
    # given
    case = pending_case()
    # when
    with pytest.raises(ValidationFailed):
        services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="nope")
    # then
    case.video.refresh_from_db()
    assert case.video.state == "pending_review"


@pytest.mark.parametrize("roles", [[], ["reporter"]])
def test_non_editors_cannot_claim_or_decide(roles):
    # given
    case = pending_case()
    user = UserFactory(roles=roles)
    # when
    with pytest.raises(PermissionDenied):
        services.case_claim(case_id=case.pk, editor=user)
    with pytest.raises(PermissionDenied):
        services.case_decide(case_id=case.pk, editor=user, decision="approve")
    # then
    case.refresh_from_db()
    case.video.refresh_from_db()
    assert (case.status, case.claimed_by, case.video.state) == ("open", None, "pending_review")
    assert AuditEntry.objects.count() == 0


def test_anonymous_is_asked_to_log_in():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        services.ensure_editor(AnonymousUser())


def test_bulk_approve_skips_items_another_editor_holds(editor):
    # given
    first, held, third = pending_case(), pending_case(), pending_case()
    services.case_claim(case_id=held.pk, editor=UserFactory(roles=["editor"]))
    # when
    outcomes = services.cases_bulk_decide(
        case_ids=[first.pk, held.pk, third.pk], editor=editor, decision="approve"
    )
    # then
    assert [(o.case_id, o.ok, o.code) for o in outcomes] == [
        (first.pk, True, ""),
        (held.pk, False, "claimed"),
        (third.pk, True, ""),
    ]
    states = {c.pk: c.video.state for c in Case.objects.select_related("video")}
    assert states == {first.pk: "published", held.pk: "pending_review", third.pk: "published"}


def test_bulk_reject_with_a_bad_reason_changes_nothing(editor):
    # given
    cases = [pending_case(), pending_case()]
    # when
    with pytest.raises(ValidationFailed):
        services.cases_bulk_decide(
            case_ids=[c.pk for c in cases], editor=editor, decision="reject", reason_code="x"
        )
    # then
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.OPEN}


def test_points_tier_trusted_reporters_are_prioritised_too(settings):
    # given
    star = UserFactory(roles=["reporter"])
    PointsAccount.objects.create(user=star, tier="star", total=2500)
    # when
    case = pending_case(owner=star)
    plain = pending_case()
    # then
    assert case.priority_boost_hours == settings.MODERATION_PRIORITY_HOURS["trusted_reporter"]
    assert plain.priority_boost_hours == 0
