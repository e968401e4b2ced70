"""The queue: opening cases for what waits for review, closing the ones settled elsewhere, and
an editor's claim on an item."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict
from fieldcast.videos.models import Video, VideoState
from ingest.models import LiveSource, SourceState
from moderation import reviewables
from moderation.models import AuditAction, Case, CaseKind, CaseStatus, Decision
from moderation.services.access import ensure_editor
from moderation.services.audit import audit_write, case_state
from moderation.services.cases import (
    check_open_for,
    locked_case,
    new_case,
    set_flags,
    set_priority,
)


@transaction.atomic
def cases_sync_pending_videos() -> int:
    """Open a video case for every video waiting for review that has none (returns how many).

    The automatic checks normally open the case; this catches videos that reached review without
    them (a worker that does not run the checks yet, videos from before moderation existed).
    """
    waiting = (
        Video.objects.filter(state=VideoState.PENDING_REVIEW)
        .exclude(
            cases__kind=CaseKind.VIDEO,
            cases__status__in=[CaseStatus.OPEN, CaseStatus.CHANGES_REQUESTED],
        )
        .only("id", "owner_id", "created_at")
    )
    created = 0
    for video in waiting:
        try:
            with transaction.atomic():
                case = Case(
                    kind=CaseKind.VIDEO,
                    video=video,
                    submitted_by_id=video.owner_id,
                    created_at=video.created_at,
                )
                set_flags(case, [])
                set_priority(case)
                case.save()
                created += 1
        except IntegrityError:
            continue  # another process opened it first
    return created


@transaction.atomic
def cases_sync_live_sources() -> int:
    """Open a case for every live source waiting for approval; close cases whose source was
    decided on the live sources page or ended (returns how many were opened).
    """
    waiting = LiveSource.objects.filter(state=SourceState.LIVE).exclude(
        moderation_cases__kind=CaseKind.LIVE_SOURCE,
        moderation_cases__status=CaseStatus.OPEN,
    )
    opened = 0
    for source in waiting:
        try:
            with transaction.atomic():
                new_case(
                    kind=CaseKind.LIVE_SOURCE,
                    live_source=source,
                    submitted_by_id=source.reporter_id,
                )
                opened += 1
        except IntegrityError:
            continue
    # Lock only the case rows: PostgreSQL refuses FOR UPDATE on the outer-joined source.
    stale = (
        Case.objects.select_for_update(of=("self",))
        .filter(kind=CaseKind.LIVE_SOURCE, status=CaseStatus.OPEN)
        .exclude(live_source__state=SourceState.LIVE)
    )
    for case in stale.select_related("live_source"):
        _close_decided_elsewhere(
            case,
            reason=_("The live source is %(state)s.")
            % {"state": case.live_source.get_state_display() if case.live_source else ""},
        )
    return opened


def _close_decided_elsewhere(case: Case, *, reason: str) -> None:
    """Close an open case whose item was settled outside the queue (audited, no editor)."""
    before = case_state(case)
    case.status = CaseStatus.DECIDED
    case.decision = Decision.CLOSED
    case.decided_at = timezone.now()
    case.claimed_by = None
    case.claimed_until = None
    case.save()
    audit_write(
        actor=None,
        action=AuditAction.DECIDE,
        case=case,
        reason=reason,
        before=before,
        after=case_state(case),
    )


@transaction.atomic
def cases_sync_held_comments() -> int:
    """Open a case for every comment the term filter or an approval-only video held; close the
    cases of comments decided elsewhere (the video page's editor tools, the author deleting it).
    Returns how many were opened."""
    comments = reviewables.reviewable(CaseKind.COMMENT)
    waiting = comments.held().exclude(
        moderation_cases__kind=CaseKind.COMMENT, moderation_cases__status=CaseStatus.OPEN
    )
    opened = 0
    for comment in waiting:
        item = comments.describe(comment)
        try:
            with transaction.atomic():
                case = Case(
                    kind=CaseKind.COMMENT,
                    comment=comment,
                    submitted_by_id=item.owner_id,
                    created_at=item.created_at,
                )
                set_flags(case, item.flags)
                set_priority(case)
                case.save()
                opened += 1
        except IntegrityError:
            continue  # another process opened it first
    stale = (
        Case.objects.select_for_update(of=("self",))
        .filter(kind=CaseKind.COMMENT, status=CaseStatus.OPEN)
        .exclude(comment__in=comments.held().values("pk"))
    )
    for case in stale.select_related("comment"):
        _close_decided_elsewhere(
            case,
            reason=_("The comment was decided elsewhere (%(state)s).")
            % {
                "state": comments.describe(case.comment).state_label if case.comment else "",
            },
        )
    return opened


@transaction.atomic
def case_open_for_video(*, video_id: int, flags: list[str]) -> Case:
    """The open review case of a video, created if needed, with these automatic-check flags."""
    video = Video.objects.get(pk=video_id)
    case = (
        Case.objects.select_for_update()
        .filter(kind=CaseKind.VIDEO, video=video, status=CaseStatus.OPEN)
        .first()
    )
    if case is None:
        try:
            with transaction.atomic():
                case = new_case(kind=CaseKind.VIDEO, video=video, submitted_by_id=video.owner_id)
        except IntegrityError:
            case = Case.objects.select_for_update().get(
                kind=CaseKind.VIDEO, video=video, status=CaseStatus.OPEN
            )
    set_flags(case, flags)
    set_priority(case)
    case.save(update_fields=["flags", "flag_index", "priority_boost_hours", "priority_at"])
    return case


@transaction.atomic
def case_claim(*, case_id: int, editor: User) -> Case:
    """Lock an item for this editor for MODERATION_CLAIM_SECONDS; refuses if another holds it.

    The row lock makes two simultaneous claims queue up: the second sees the first's claim.
    """
    ensure_editor(editor)
    case = locked_case(case_id)
    check_open_for(case, editor)
    before = case_state(case)
    case.claimed_by = editor
    case.claimed_until = timezone.now() + timedelta(seconds=settings.MODERATION_CLAIM_SECONDS)
    case.save(update_fields=["claimed_by", "claimed_until", "updated_at"])
    audit_write(
        actor=editor, action=AuditAction.CLAIM, case=case, before=before, after=case_state(case)
    )
    return case


@transaction.atomic
def case_release(*, case_id: int, editor: User) -> Case:
    """Give an item back to the queue before the claim runs out."""
    ensure_editor(editor)
    case = locked_case(case_id)
    if case.claimed_by_id != editor.pk:
        raise Conflict(_("You do not hold this item."), code=ErrorCode.NOT_CLAIMED)
    before = case_state(case)
    case.claimed_by = None
    case.claimed_until = None
    case.save(update_fields=["claimed_by", "claimed_until", "updated_at"])
    audit_write(
        actor=editor, action=AuditAction.RELEASE, case=case, before=before, after=case_state(case)
    )
    return case
