"""Decisions on queue items: one editor's decision on one case (what it does depends on the kind
of item), bulk decisions on videos, and the uploader's resubmission after a request for changes.

Video state changes go through `fieldcast.videos.services`; who is told about an outcome is decided
in `community.notifications.notify` (the one place for notifications); comments are reached through the
reviewable kind community registers (`moderation.reviewables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from community.notifications import notify
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from fieldcast.points import services as points_services
from fieldcast.videos import services as video_services
from fieldcast.videos.models import Video, VideoState
from ingest import services as ingest_services
from ingest.models import SourceState
from moderation import reviewables
from moderation.models import AuditAction, Case, CaseKind, CaseStatus, Decision, Verification
from moderation.services.access import ensure_editor
from moderation.services.audit import audit_write, case_state
from moderation.services.cases import AlreadyDecided, check_open_for, finish_case, locked_case
from moderation.services.reasons import check_text, parse_reason

# Which decisions each kind of case accepts.
DECISIONS_BY_KIND: dict[str, set[str]] = {
    CaseKind.VIDEO: {Decision.APPROVE, Decision.REJECT, Decision.REQUEST_CHANGES},
    CaseKind.REPORT: {Decision.DISMISS, Decision.REMOVE},
    CaseKind.APPEAL: {Decision.UPHOLD, Decision.OVERTURN},
    CaseKind.LIVE_SOURCE: {Decision.APPROVE, Decision.REJECT},
    CaseKind.COMMENT: {Decision.APPROVE, Decision.REMOVE},
}


class _DecisionHandler(Protocol):
    """What deciding one kind of case takes; each kind's handler ignores what it does not use."""

    def __call__(
        self,
        *,
        case: Case,
        editor: User,
        decision: str,
        reason_code: str,
        reason_text: str,
        verification: str,
        title: str | None,
        description: str | None,
    ) -> str: ...


@transaction.atomic
def case_decide(
    *,
    case_id: int,
    editor: User,
    decision: str,
    reason_code: str = "",
    reason_text: str = "",
    verification: str = "",
    title: str | None = None,
    description: str | None = None,
) -> Case:
    """Decide one queue item. What each decision does depends on the kind of item:

    * video: approve (-> published, optional title/description edits, a verification status),
      reject (-> rejected, a listed reason plus free text), request changes (the video stays in
      review; the case waits for the reporter, who gets the note);
    * report: dismiss (a hidden video comes back) or remove (-> removed, with a reason);
    * appeal: uphold the original decision or overturn it (-> published).

    The uploader (and, for reports, every reporter) gets a notice; everything is audited.
    """
    ensure_editor(editor)
    case = locked_case(case_id)
    check_open_for(case, editor)
    if decision not in DECISIONS_BY_KIND.get(case.kind, set()):
        raise ValidationFailed(
            _("That decision does not apply to this kind of item."),
            code=ErrorCode.INVALID_DECISION,
            fields={"decision": [_("Not available for this item.")]},
        )
    before = case_state(case)
    handlers: dict[str, _DecisionHandler] = {
        CaseKind.VIDEO: _decide_video,
        CaseKind.REPORT: _decide_report,
        CaseKind.APPEAL: _decide_appeal,
        CaseKind.LIVE_SOURCE: _decide_live_source,
        CaseKind.COMMENT: _decide_comment,
    }
    handler = handlers[case.kind]
    reason = handler(
        case=case,
        editor=editor,
        decision=decision,
        reason_code=reason_code,
        reason_text=reason_text,
        verification=verification,
        title=title,
        description=description,
    )
    case.refresh_from_db()
    after = case_state(case)
    if case.verification:
        after["verification"] = case.verification
    audit_write(
        actor=editor,
        action=AuditAction.DECIDE,
        case=case,
        reason=reason,
        before=before,
        after=after,
    )
    return case


def _decide_video(
    *,
    case: Case,
    editor: User,
    decision: str,
    reason_code: str,
    reason_text: str,
    verification: str,
    title: str | None,
    description: str | None,
) -> str:
    video = Video.objects.select_for_update().get(pk=case.video_id or 0)
    if video.state != VideoState.PENDING_REVIEW:
        raise AlreadyDecided(_("This video is no longer waiting for review."))
    if decision == Decision.APPROVE:
        verification = verification or Verification.UNVERIFIED
        if verification not in Verification.values:
            raise ValidationFailed(
                _("Choose a verification status."),
                fields={"verification": [_("Choose unverified, verified or disputed.")]},
            )
        _apply_edits(video=video, editor=editor, case=case, title=title, description=description)
        video_services.video_publish(video=video, editor=editor, verification=verification)
        points_services.points_original_footage(video=video)
        finish_case(case, editor, decision, verification=verification)
        notify.notify_video_approved(video=video, case_id=case.pk)
        return ""
    if decision == Decision.REJECT:
        code, text, readable = parse_reason(reason_code, reason_text)
        video_services.video_reject(video_id=video.pk, editor=editor, reason=readable)
        points_services.points_tier_refresh(user=video.owner)
        finish_case(case, editor, decision, reason_code=code, reason_text=text)
        notify.notify_video_rejected(
            video=video, case_id=case.pk, reason_code=code, reason_text=text
        )
        return readable
    note = check_text(reason_text, field="reason_text", required=True)
    finish_case(case, editor, decision, reason_text=note)
    case.status = CaseStatus.CHANGES_REQUESTED
    case.save(update_fields=["status"])
    notify.notify_video_changes_requested(video=video, case_id=case.pk, note=note)
    return note


def _apply_edits(
    *, video: Video, editor: User, case: Case, title: str | None, description: str | None
) -> None:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if title is not None:
        title = title.strip()
        if not title or len(title) > 200:
            raise ValidationFailed(
                _("A title needs 1 to 200 characters."),
                fields={"title": [_("A title needs 1 to 200 characters.")]},
            )
        if title != video.title:
            before["title"], after["title"] = video.title, title
            video.title = title
    if description is not None:
        description = description.strip()
        if len(description) > 5000:
            raise ValidationFailed(
                _("Keep the description under 5000 characters."),
                fields={"description": [_("Keep the description under 5000 characters.")]},
            )
        if description != video.description:
            before["description"], after["description"] = video.description, description
            video.description = description
    if after:
        video.save(update_fields=[*after.keys(), "updated_at"])
        audit_write(
            actor=editor,
            action=AuditAction.EDIT,
            case=case,
            video=video,
            before=before,
            after=after,
        )


def _decide_report(
    *,
    case: Case,
    editor: User,
    decision: str,
    reason_code: str,
    reason_text: str,
    **_unused: Any,
) -> str:
    reporter_ids = set(case.reports.values_list("reporter_id", flat=True))
    video = Video.objects.select_for_update().get(pk=case.video_id or 0) if case.video_id else None
    if decision == Decision.DISMISS:
        note = check_text(reason_text, field="reason_text")
        if video is not None and video.state == VideoState.HIDDEN:
            video_services.video_restore(video_id=video.pk, editor=editor)
            notify.notify_video_restored(video=video, case_id=case.pk)
        finish_case(case, editor, decision, reason_text=note)
        readable = note
    else:
        code, text, readable = parse_reason(reason_code, reason_text)
        if video is not None:
            if video.state not in (VideoState.PUBLISHED, VideoState.HIDDEN):
                raise AlreadyDecided(_("This video is no longer public."))
            video_services.video_remove(video_id=video.pk, editor=editor, reason=readable)
            points_services.points_content_removed(video=video, reason=readable)
            notify.notify_video_removed(
                video=video, case_id=case.pk, reason_code=code, reason_text=text
            )
        elif case.comment_id is not None:
            comments = reviewables.reviewable(CaseKind.COMMENT)
            comment = comments.find(pk=case.comment_id, lock=True)
            if comment is None or not comments.describe(comment).shown:
                raise AlreadyDecided(_("This comment is no longer shown."))
            comment = comments.remove(item=comment, editor=editor, reason=readable)
            notify.notify_comment_removed(comment=comment, case_id=case.pk, reason=readable)
        elif case.reported_user is not None:
            points_services.points_report_upheld(offender=case.reported_user, case_id=case.pk)
            notify.notify_account_warned(
                user_id=case.reported_user.pk, case_id=case.pk, reason_code=code, reason_text=text
            )
        finish_case(case, editor, decision, reason_code=code, reason_text=text)
    subject = video.title if video is not None else ""
    if case.comment is not None:
        subject = reviewables.reviewable(CaseKind.COMMENT).describe(case.comment).summary
    elif video is None and case.reported_user is not None:
        subject = case.reported_user.public_name
    notify.notify_report_outcome(
        reporter_ids=reporter_ids,
        subject=subject,
        video=video,
        case_id=case.pk,
        action_taken=decision == Decision.REMOVE,
        reason_code=case.reason_code,
        reason_text=case.reason_text,
    )
    audit_write(
        actor=editor,
        action=AuditAction.REPORT_OUTCOME,
        case=case,
        reason=readable,
        after={"decision": decision, "reporters": sorted(reporter_ids)},
    )
    return readable


def _decide_appeal(
    *, case: Case, editor: User, decision: str, reason_text: str, **_unused: Any
) -> str:
    note = check_text(reason_text, field="reason_text")
    video = Video.objects.select_for_update().get(pk=case.video_id or 0)
    if decision == Decision.OVERTURN:
        video_services.video_reinstate(video_id=video.pk, editor=editor)
        points_services.points_video_reinstated(video=video, reason=note)
    finish_case(case, editor, decision, reason_text=note)
    notify.notify_appeal_decided(
        video=video, case_id=case.pk, granted=decision == Decision.OVERTURN, note=note
    )
    return note


def _decide_live_source(
    *, case: Case, editor: User, decision: str, reason_code: str, reason_text: str, **_unused: Any
) -> str:
    source = case.live_source
    if source is None or source.state != SourceState.LIVE:
        raise AlreadyDecided(_("This live source is no longer waiting for approval."))
    readable = ""
    if decision == Decision.REJECT:
        code, text, readable = parse_reason(reason_code, reason_text)
        ingest_services.source_decide(
            source_key=str(source.key), editor=editor, action="reject", reason=readable
        )
        finish_case(case, editor, decision, reason_code=code, reason_text=text)
    else:
        ingest_services.source_decide(source_key=str(source.key), editor=editor, action="approve")
        finish_case(case, editor, decision)
    return readable


def _decide_comment(
    *, case: Case, editor: User, decision: str, reason_code: str, reason_text: str, **_unused: Any
) -> str:
    """A held comment: approve (it shows, pays points, notifies) or remove (it goes, the author
    hears why). The comment's own log (community's CommentAction) records the editor too."""
    comments = reviewables.reviewable(CaseKind.COMMENT)
    comment = comments.find(pk=case.comment_id or 0, lock=True)
    if comment is None or not comments.describe(comment).held:
        raise AlreadyDecided(_("This comment is no longer waiting for review."))
    if decision == Decision.APPROVE:
        note = check_text(reason_text, field="reason_text")
        comments.approve(item=comment, editor=editor)
        finish_case(case, editor, decision, reason_text=note)
        return note
    code, text, readable = parse_reason(reason_code, reason_text)
    comment = comments.remove(item=comment, editor=editor, reason=readable)
    finish_case(case, editor, decision, reason_code=code, reason_text=text)
    notify.notify_comment_removed(comment=comment, case_id=case.pk, reason=readable)
    return readable


@dataclass(frozen=True)
class BulkOutcome:
    case_id: int
    ok: bool
    code: str = ""
    message: str = ""


def cases_bulk_decide(
    *,
    case_ids: list[int],
    editor: User,
    decision: str,
    reason_code: str = "",
    reason_text: str = "",
    verification: str = "",
) -> list[BulkOutcome]:
    """Approve or reject several video items. Each is its own transaction on purpose: one item
    another editor holds must not block (or roll back) the others; the outcome says which failed.
    """
    ensure_editor(editor)
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ValidationFailed(
            _("Bulk decisions are approve or reject."), code=ErrorCode.INVALID_DECISION
        )
    if decision == Decision.REJECT:
        parse_reason(reason_code, reason_text)  # refuse the whole batch up front on a bad reason
    outcomes = []
    for case_id in dict.fromkeys(case_ids):
        try:
            case_decide(
                case_id=case_id,
                editor=editor,
                decision=decision,
                reason_code=reason_code,
                reason_text=reason_text,
                verification=verification,
            )
            outcomes.append(BulkOutcome(case_id=case_id, ok=True))
        except ApplicationError as error:
            outcomes.append(
                BulkOutcome(case_id=case_id, ok=False, code=error.code, message=error.message)
            )
    return outcomes


@transaction.atomic
def case_resubmit(
    *, case_id: int, user: User, title: str | None = None, description: str | None = None
) -> Case:
    """The uploader answers a request for changes: the item goes back to the queue."""
    case = locked_case(case_id)
    if case.video is None or case.video.owner_id != user.pk:
        raise NotFound(_("We could not find that queue item."))
    if case.status != CaseStatus.CHANGES_REQUESTED:
        raise Conflict(_("No changes were requested on this video."), code=ErrorCode.INVALID_STATE)
    video = Video.objects.select_for_update().get(pk=case.video_id or 0)
    before = {"title": video.title, "description": video.description, "status": case.status}
    if title is not None and title.strip():
        video.title = title.strip()[:200]
    if description is not None:
        video.description = description.strip()[:5000]
    video.save(update_fields=["title", "description", "updated_at"])
    case.status = CaseStatus.OPEN
    case.decision = ""
    case.decided_by = None
    case.decided_at = None
    case.save()
    audit_write(
        actor=user,
        action=AuditAction.RESUBMIT,
        case=case,
        before=before,
        after={"title": video.title, "description": video.description, "status": case.status},
    )
    return case
