"""Every write moderation makes: claims, decisions, reports, appeals, trust.

Each service owns its transaction, locks the case row it changes (`select_for_update`) and writes
an `AuditEntry` for what it did. Video state changes go through `fieldcast.videos.services`; who
is told about an outcome is decided in `community.notify` (the one place for notifications).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from community.comments import services as community_services
from community.models import Comment, CommentState
from community.notifications import notify
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points import selectors as points_selectors
from fieldcast.points import services as points_services
from fieldcast.videos import services as video_services
from fieldcast.videos.models import Video, VideoState
from ingest import services as ingest_services
from ingest.models import LiveSource, SourceState
from moderation import fingerprints, priority
from moderation.models import (
    Appeal,
    AuditAction,
    AuditEntry,
    Case,
    CaseKind,
    CaseStatus,
    CheckResult,
    Decision,
    Report,
    ReportReason,
    TrustedReporter,
    Verification,
    VideoFingerprint,
)

# Which decisions each kind of case accepts.
DECISIONS_BY_KIND: dict[str, set[str]] = {
    CaseKind.VIDEO: {Decision.APPROVE, Decision.REJECT, Decision.REQUEST_CHANGES},
    CaseKind.REPORT: {Decision.DISMISS, Decision.REMOVE},
    CaseKind.APPEAL: {Decision.UPHOLD, Decision.OVERTURN},
    CaseKind.LIVE_SOURCE: {Decision.APPROVE, Decision.REJECT},
    CaseKind.COMMENT: {Decision.APPROVE, Decision.REMOVE},
}


class CaseClaimed(Conflict):
    default_code = "claimed"


class AlreadyDecided(Conflict):
    default_code = "already_decided"


# --- Helpers ------------------------------------------------------------------------------------


def ensure_editor(user: User | AnonymousUser) -> User:
    """The user if they may moderate; NotAuthenticated / PermissionDenied otherwise."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not roles.has_role_permission(user, "moderate_content"):
        raise PermissionDenied(_("Only editors can moderate content."))
    return user  # type: ignore[return-value]


def ensure_staff(user: User | AnonymousUser) -> User:
    """The user if they may see staff dashboards (audit log, stats)."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not roles.has_role_permission(user, "view_dashboards"):
        raise PermissionDenied(_("Only staff can see this."))
    return user  # type: ignore[return-value]


def reject_reasons() -> dict[str, str]:
    """The configured reasons an editor picks from: code -> label."""
    return {str(code): str(label) for code, label in settings.MODERATION_REJECT_REASONS}


def _check_text(value: str, *, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    limit = settings.MODERATION_TEXT_MAX_LENGTH
    if required and not value:
        raise ValidationFailed(
            _("Please write a note."), fields={field: [_("This field is required.")]}
        )
    if len(value) > limit:
        message = _("Keep it under %(limit)d characters (this is %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ValidationFailed(message, code="too_long", fields={field: [message]})
    return value


def _audit(
    *,
    actor: User | None,
    action: str,
    case: Case | None = None,
    video: Video | None = None,
    subject_user: User | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        case=case,
        video=video if video is not None else (case.video if case is not None else None),
        subject_user=subject_user,
        reason=reason,
        before=before or {},
        after=after or {},
    )


def _is_trusted(user_id: int | None) -> bool:
    """Trusted by staff here, or by the points tiers (trusted and star reporters)."""
    if user_id is None:
        return False
    return TrustedReporter.objects.filter(
        user_id=user_id
    ).exists() or points_selectors.user_id_is_trusted(user_id=user_id)


def _set_priority(case: Case) -> None:
    report_count = 0
    if case.kind == CaseKind.REPORT and case.pk is not None:
        report_count = case.reports.values("reporter_id").distinct().count()
    boost = priority.priority_boost_hours(
        kind=case.kind,
        flags=list(case.flags),
        trusted_reporter=_is_trusted(case.submitted_by_id),
        report_count=report_count,
    )
    case.priority_boost_hours = boost
    case.priority_at = priority.priority_at(created_at=case.created_at, boost_hours=boost)


def _set_flags(case: Case, flags: Iterable[str]) -> None:
    case.flags = sorted(set(flags))
    case.flag_index = "".join(f" {flag} " for flag in case.flags)


def _new_case(*, kind: str, **fields: Any) -> Case:
    case = Case(kind=kind, created_at=timezone.now(), **fields)
    _set_flags(case, fields.get("flags", []))
    _set_priority(case)
    case.save()
    return case


def _locked_case(case_id: int) -> Case:
    try:
        return Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist as exc:
        raise NotFound(_("We could not find that queue item.")) from exc


def _claim_is_live(case: Case) -> bool:
    return bool(
        case.claimed_by_id is not None
        and case.claimed_until is not None
        and case.claimed_until > timezone.now()
    )


def _check_open_for(case: Case, editor: User) -> None:
    """The case is open and this editor may act on it (no one else holds it)."""
    if case.status != CaseStatus.OPEN:
        raise AlreadyDecided(_("This item has already been decided."))
    if case.excluded_editor_id is not None and case.excluded_editor_id == editor.pk:
        raise PermissionDenied(
            _("You made the decision under appeal: another editor must review the appeal."),
            code="own_decision",
        )
    if _claim_is_live(case) and case.claimed_by_id != editor.pk:
        holder = case.claimed_by
        raise CaseClaimed(
            _("%(name)s is reviewing this item until %(time)s.")
            % {
                "name": holder.public_name if holder else "",
                "time": time_format(timezone.localtime(case.claimed_until), "H:i"),
            }
        )


def _case_state(case: Case) -> dict[str, Any]:
    state: dict[str, Any] = {
        "status": case.status,
        "decision": case.decision,
        "claimed_by": case.claimed_by_id,
        "video_state": case.video.state if case.video is not None else None,
    }
    if case.live_source is not None:
        state["source_state"] = case.live_source.state
    if case.comment is not None:
        state["comment_state"] = case.comment.state
    return state


# --- The queue ----------------------------------------------------------------------------------


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
                _set_flags(case, [])
                _set_priority(case)
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
                _new_case(
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
    before = _case_state(case)
    case.status = CaseStatus.DECIDED
    case.decision = Decision.CLOSED
    case.decided_at = timezone.now()
    case.claimed_by = None
    case.claimed_until = None
    case.save()
    _audit(
        actor=None,
        action=AuditAction.DECIDE,
        case=case,
        reason=reason,
        before=before,
        after=_case_state(case),
    )


@transaction.atomic
def cases_sync_held_comments() -> int:
    """Open a case for every comment the term filter or an approval-only video held; close the
    cases of comments decided elsewhere (the video page's editor tools, the author deleting it).
    Returns how many were opened."""
    waiting = (
        Comment.objects.filter(state=CommentState.HELD)
        .exclude(moderation_cases__kind=CaseKind.COMMENT, moderation_cases__status=CaseStatus.OPEN)
        .only("id", "author_id", "created_at", "held_terms")
    )
    opened = 0
    for comment in waiting:
        try:
            with transaction.atomic():
                case = Case(
                    kind=CaseKind.COMMENT,
                    comment=comment,
                    submitted_by_id=comment.author_id,
                    created_at=comment.created_at,
                )
                _set_flags(case, ["term"] if comment.held_terms else [])
                _set_priority(case)
                case.save()
                opened += 1
        except IntegrityError:
            continue  # another process opened it first
    stale = (
        Case.objects.select_for_update(of=("self",))
        .filter(kind=CaseKind.COMMENT, status=CaseStatus.OPEN)
        .exclude(comment__state=CommentState.HELD)
    )
    for case in stale.select_related("comment"):
        _close_decided_elsewhere(
            case,
            reason=_("The comment was decided elsewhere (%(state)s).")
            % {"state": case.comment.get_state_display() if case.comment else ""},
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
                case = _new_case(kind=CaseKind.VIDEO, video=video, submitted_by_id=video.owner_id)
        except IntegrityError:
            case = Case.objects.select_for_update().get(
                kind=CaseKind.VIDEO, video=video, status=CaseStatus.OPEN
            )
    _set_flags(case, flags)
    _set_priority(case)
    case.save(update_fields=["flags", "flag_index", "priority_boost_hours", "priority_at"])
    return case


@transaction.atomic
def case_claim(*, case_id: int, editor: User) -> Case:
    """Lock an item for this editor for MODERATION_CLAIM_SECONDS; refuses if another holds it.

    The row lock makes two simultaneous claims queue up: the second sees the first's claim.
    """
    ensure_editor(editor)
    case = _locked_case(case_id)
    _check_open_for(case, editor)
    before = _case_state(case)
    case.claimed_by = editor
    case.claimed_until = timezone.now() + timedelta(seconds=settings.MODERATION_CLAIM_SECONDS)
    case.save(update_fields=["claimed_by", "claimed_until", "updated_at"])
    _audit(
        actor=editor, action=AuditAction.CLAIM, case=case, before=before, after=_case_state(case)
    )
    return case


@transaction.atomic
def case_release(*, case_id: int, editor: User) -> Case:
    """Give an item back to the queue before the claim runs out."""
    ensure_editor(editor)
    case = _locked_case(case_id)
    if case.claimed_by_id != editor.pk:
        raise Conflict(_("You do not hold this item."), code="not_claimed")
    before = _case_state(case)
    case.claimed_by = None
    case.claimed_until = None
    case.save(update_fields=["claimed_by", "claimed_until", "updated_at"])
    _audit(
        actor=editor, action=AuditAction.RELEASE, case=case, before=before, after=_case_state(case)
    )
    return case


# --- Decisions ----------------------------------------------------------------------------------


def _reason(reason_code: str, text: str) -> tuple[str, str, str]:
    """(code, free text, what the reporter reads) after checking the code and the length."""
    reasons = reject_reasons()
    if reason_code not in reasons:
        raise ValidationFailed(
            _("Choose one of the listed reasons."),
            fields={"reason_code": [_("Choose one of the listed reasons.")]},
        )
    text = _check_text(text, field="reason_text")
    readable = reasons[reason_code] + (f": {text}" if text else "")
    return reason_code, text, readable


def _finish(case: Case, editor: User, decision: str, **fields: Any) -> None:
    case.status = CaseStatus.DECIDED
    case.decision = decision
    case.decided_by = editor
    case.decided_at = timezone.now()
    case.claimed_by = None
    case.claimed_until = None
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()


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
    case = _locked_case(case_id)
    _check_open_for(case, editor)
    if decision not in DECISIONS_BY_KIND.get(case.kind, set()):
        raise ValidationFailed(
            _("That decision does not apply to this kind of item."),
            code="invalid_decision",
            fields={"decision": [_("Not available for this item.")]},
        )
    before = _case_state(case)
    handlers = {
        CaseKind.VIDEO: _decide_video,
        CaseKind.REPORT: _decide_report,
        CaseKind.APPEAL: _decide_appeal,
        CaseKind.LIVE_SOURCE: _decide_live_source,
        CaseKind.COMMENT: _decide_comment,
    }
    handler: Any = handlers[case.kind]  # type: ignore[index]
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
    after = _case_state(case)
    if case.verification:
        after["verification"] = case.verification
    _audit(
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
        _finish(case, editor, decision, verification=verification)
        notify.notify_video_approved(video=video, case_id=case.pk)
        return ""
    if decision == Decision.REJECT:
        code, text, readable = _reason(reason_code, reason_text)
        video_services.video_reject(video_id=video.pk, editor=editor, reason=readable)
        points_services.points_tier_refresh(user=video.owner)
        _finish(case, editor, decision, reason_code=code, reason_text=text)
        notify.notify_video_rejected(
            video=video, case_id=case.pk, reason_code=code, reason_text=text
        )
        return readable
    note = _check_text(reason_text, field="reason_text", required=True)
    _finish(case, editor, decision, reason_text=note)
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
        _audit(
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
        note = _check_text(reason_text, field="reason_text")
        if video is not None and video.state == VideoState.HIDDEN:
            video_services.video_restore(video_id=video.pk, editor=editor)
            notify.notify_video_restored(video=video, case_id=case.pk)
        _finish(case, editor, decision, reason_text=note)
        readable = note
    else:
        code, text, readable = _reason(reason_code, reason_text)
        if video is not None:
            if video.state not in (VideoState.PUBLISHED, VideoState.HIDDEN):
                raise AlreadyDecided(_("This video is no longer public."))
            video_services.video_remove(video_id=video.pk, editor=editor, reason=readable)
            points_services.points_content_removed(video=video, reason=readable)
            notify.notify_video_removed(
                video=video, case_id=case.pk, reason_code=code, reason_text=text
            )
        elif case.comment_id is not None:
            comment = Comment.objects.select_for_update().get(pk=case.comment_id)
            if comment.state != CommentState.VISIBLE:
                raise AlreadyDecided(_("This comment is no longer shown."))
            comment = community_services.comment_remove(
                user=editor, comment_id=comment.pk, reason=readable
            )
            notify.notify_comment_removed(comment=comment, case_id=case.pk, reason=readable)
        elif case.reported_user is not None:
            points_services.points_report_upheld(offender=case.reported_user, case_id=case.pk)
            notify.notify_account_warned(
                user_id=case.reported_user.pk, case_id=case.pk, reason_code=code, reason_text=text
            )
        _finish(case, editor, decision, reason_code=code, reason_text=text)
    subject = video.title if video is not None else ""
    if case.comment is not None:
        subject = Truncator(case.comment.body).chars(60)
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
    _audit(
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
    note = _check_text(reason_text, field="reason_text")
    video = Video.objects.select_for_update().get(pk=case.video_id or 0)
    if decision == Decision.OVERTURN:
        video_services.video_reinstate(video_id=video.pk, editor=editor)
        points_services.points_video_reinstated(video=video, reason=note)
    _finish(case, editor, decision, reason_text=note)
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
        code, text, readable = _reason(reason_code, reason_text)
        ingest_services.source_decide(
            source_key=str(source.key), editor=editor, action="reject", reason=readable
        )
        _finish(case, editor, decision, reason_code=code, reason_text=text)
    else:
        ingest_services.source_decide(source_key=str(source.key), editor=editor, action="approve")
        _finish(case, editor, decision)
    return readable


def _decide_comment(
    *, case: Case, editor: User, decision: str, reason_code: str, reason_text: str, **_unused: Any
) -> str:
    """A held comment: approve (it shows, pays points, notifies) or remove (it goes, the author
    hears why). The comment's own log (community's CommentAction) records the editor too."""
    comment = Comment.objects.select_for_update().filter(pk=case.comment_id or 0).first()
    if comment is None or comment.state != CommentState.HELD:
        raise AlreadyDecided(_("This comment is no longer waiting for review."))
    if decision == Decision.APPROVE:
        note = _check_text(reason_text, field="reason_text")
        community_services.comment_approve(user=editor, comment_id=comment.pk)
        _finish(case, editor, decision, reason_text=note)
        return note
    code, text, readable = _reason(reason_code, reason_text)
    comment = community_services.comment_remove(user=editor, comment_id=comment.pk, reason=readable)
    _finish(case, editor, decision, reason_code=code, reason_text=text)
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
        raise ValidationFailed(_("Bulk decisions are approve or reject."), code="invalid_decision")
    if decision == Decision.REJECT:
        _reason(reason_code, reason_text)  # refuse the whole batch up front on a bad reason
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
    case = _locked_case(case_id)
    if case.video is None or case.video.owner_id != user.pk:
        raise NotFound(_("We could not find that queue item."))
    if case.status != CaseStatus.CHANGES_REQUESTED:
        raise Conflict(_("No changes were requested on this video."), code="invalid_state")
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
    _audit(
        actor=user,
        action=AuditAction.RESUBMIT,
        case=case,
        before=before,
        after={"title": video.title, "description": video.description, "status": case.status},
    )
    return case


# --- Viewer reports -----------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    reporter: User | AnonymousUser,
    reason: str,
    text: str = "",
    video_id: int | None = None,
    user_id: int | None = None,
    comment_id: int | None = None,
) -> Report:
    """A viewer reports a published video, a visible comment or a user. Enough distinct
    reporters hide the video (`MODERATION_REPORT_HIDE_THRESHOLD`) until an editor decides.
    """
    if not reporter.is_authenticated:
        raise NotAuthenticated(_("Log in to report."))
    assert isinstance(reporter, User)  # noqa: S101 - narrowed by is_authenticated
    if reason not in ReportReason.values:
        raise ValidationFailed(
            _("Choose a reason."), fields={"reason": [_("Choose one of the listed reasons.")]}
        )
    text = _check_text(text, field="text")
    if [video_id, user_id, comment_id].count(None) != 2:
        raise ValidationFailed(_("Report one video, comment or person."))
    since = timezone.now() - timedelta(hours=1)
    if (
        Report.objects.filter(reporter=reporter, created_at__gte=since).count()
        >= settings.MODERATION_REPORTS_PER_HOUR
    ):
        raise RateLimited(_("You have sent many reports in the last hour. Please wait a while."))
    if video_id is not None:
        return _report_video(reporter=reporter, video_id=video_id, reason=reason, text=text)
    if comment_id is not None:
        return _report_comment(reporter=reporter, comment_id=comment_id, reason=reason, text=text)
    return _report_user(reporter=reporter, user_id=user_id or 0, reason=reason, text=text)


def _report_case(*, video: Video | None, user: User | None, comment: Comment | None = None) -> Case:
    lookup: dict[str, Any]
    if comment is not None:
        lookup, submitted_by_id = {"comment": comment}, comment.author_id
    elif video is not None:
        lookup, submitted_by_id = {"video": video}, video.owner_id
    else:
        lookup, submitted_by_id = {"reported_user": user}, None
    case = (
        Case.objects.select_for_update()
        .filter(kind=CaseKind.REPORT, status=CaseStatus.OPEN, **lookup)
        .first()
    )
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return _new_case(kind=CaseKind.REPORT, submitted_by_id=submitted_by_id, **lookup)
    except IntegrityError:
        return Case.objects.select_for_update().get(
            kind=CaseKind.REPORT, status=CaseStatus.OPEN, **lookup
        )


def _report_video(*, reporter: User, video_id: int, reason: str, text: str) -> Report:
    video = Video.objects.select_for_update().filter(pk=video_id).first()
    if video is None or video.state != VideoState.PUBLISHED:
        raise NotFound(_("We could not find that video."))
    if video.owner_id == reporter.pk:
        raise ValidationFailed(_("You cannot report your own video."), code="own_content")
    case = _report_case(video=video, user=None)
    report = _file_report(
        case=case,
        reporter=reporter,
        reason=reason,
        text=text,
        already=_("You already reported this video. Editors will look at it."),
        target={"video": video},
        audit={"video": video},
    )
    distinct = case.reports.values("reporter_id").distinct().count()
    if distinct >= settings.MODERATION_REPORT_HIDE_THRESHOLD:
        video_services.video_hide(
            video_id=video.pk, reason=_("Hidden while editors check viewer reports.")
        )
        _audit(
            actor=None,
            action=AuditAction.AUTO_HIDE,
            case=case,
            video=video,
            reason=_("%(count)d people reported it.") % {"count": distinct},
            before={"video_state": VideoState.PUBLISHED},
            after={"video_state": VideoState.HIDDEN},
        )
        notify.notify_video_hidden(video=video, case_id=case.pk)
    return report


def _report_comment(*, reporter: User, comment_id: int, reason: str, text: str) -> Report:
    """A comment people can see (visible, under a published video or on a story)."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("video")
        .filter(pk=comment_id, state=CommentState.VISIBLE)
        .first()
    )
    if comment is None or (
        comment.video is not None and comment.video.state != VideoState.PUBLISHED
    ):
        raise NotFound(_("We could not find that comment."))
    if comment.author_id == reporter.pk:
        raise ValidationFailed(_("You cannot report your own comment."), code="own_content")
    case = _report_case(video=None, user=None, comment=comment)
    return _file_report(
        case=case,
        reporter=reporter,
        reason=reason,
        text=text,
        already=_("You already reported this comment. Editors will look at it."),
        target={"comment": comment},
        audit={"video": comment.video, "subject_user": comment.author},
    )


def _report_user(*, reporter: User, user_id: int, reason: str, text: str) -> Report:
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise NotFound(_("We could not find that person."))
    if target.pk == reporter.pk:
        raise ValidationFailed(_("You cannot report yourself."), code="own_content")
    case = _report_case(video=None, user=target)
    return _file_report(
        case=case,
        reporter=reporter,
        reason=reason,
        text=text,
        already=_("You already reported this person. Editors will look at it."),
        target={"reported_user": target},
        audit={"subject_user": target},
    )


def _file_report(
    *,
    case: Case,
    reporter: User,
    reason: str,
    text: str,
    already: str,
    target: dict[str, Any],
    audit: dict[str, Any],
) -> Report:
    """One person's report on the case of what they reported (once each), raising its priority."""
    if case.reports.filter(reporter=reporter).exists():
        raise Conflict(already, code="duplicate")
    report = Report.objects.create(reporter=reporter, reason=reason, text=text, case=case, **target)
    _set_priority(case)
    case.save(update_fields=["priority_boost_hours", "priority_at", "updated_at"])
    _audit(
        actor=reporter,
        action=AuditAction.REPORT,
        case=case,
        reason=f"{reason}: {text}" if text else reason,
        **audit,
    )
    return report


# --- Appeals ------------------------------------------------------------------------------------


@transaction.atomic
def appeal_create(*, user: User | AnonymousUser, video_id: int, note: str) -> Appeal:
    """The uploader appeals a rejection or removal, once; a different editor will decide."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    assert isinstance(user, User)  # noqa: S101 - narrowed by is_authenticated
    video = Video.objects.select_for_update().filter(pk=video_id, owner=user).first()
    if video is None:
        raise NotFound(_("We could not find that video."))
    if video.state not in (VideoState.REJECTED, VideoState.REMOVED):
        raise Conflict(
            _("Only a rejected or removed video can be appealed."), code="not_appealable"
        )
    if Appeal.objects.filter(video=video).exists():
        raise Conflict(_("You have already appealed this decision."), code="already_appealed")
    note = _check_text(note, field="note", required=True)
    decided = (
        Case.objects.filter(
            Q(decision=Decision.REJECT) | Q(decision=Decision.REMOVE),
            video=video,
            status=CaseStatus.DECIDED,
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if decided is None:
        raise Conflict(_("There is no decision to appeal."), code="not_appealable")
    case = _new_case(
        kind=CaseKind.APPEAL,
        video=video,
        submitted_by=user,
        excluded_editor_id=decided.decided_by_id,
    )
    appeal = Appeal.objects.create(
        video=video, appellant=user, note=note, appealed_case=decided, case=case
    )
    _audit(
        actor=user,
        action=AuditAction.APPEAL,
        case=case,
        video=video,
        reason=note,
        before={"video_state": video.state, "appealed_case": decided.pk},
    )
    return appeal


# --- Trust -------------------------------------------------------------------------------------


@transaction.atomic
def trusted_reporter_set(*, user_id: int, trusted: bool, staff: User) -> bool:
    """Staff mark a reporter as trusted (their items first) or not. Never auto-publishes."""
    if not roles.has_role_permission(staff, "promote_reporter"):
        raise PermissionDenied(_("Only staff can change who is trusted."))
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("We could not find that person."))
    was = TrustedReporter.objects.filter(user=user).exists()
    if trusted and not was:
        TrustedReporter.objects.create(user=user, set_by=staff)
    elif not trusted and was:
        TrustedReporter.objects.filter(user=user).delete()
    for case in Case.objects.select_for_update().filter(submitted_by=user, status=CaseStatus.OPEN):
        _set_priority(case)
        case.save(update_fields=["priority_boost_hours", "priority_at"])
    _audit(
        actor=staff,
        action=AuditAction.TRUST,
        subject_user=user,
        before={"trusted": was},
        after={"trusted": trusted},
    )
    return trusted


# --- Automatic checks ---------------------------------------------------------------------------


@transaction.atomic
def checks_record(
    *,
    video_id: int,
    version: int,
    term_matches: list[dict[str, str]],
    technical: dict[str, Any],
    technical_flags: list[str],
    hashes: list[int],
    similar: list[dict[str, Any]],
) -> CheckResult:
    """Store what the automatic checks found and flag (and prioritise) the video's queue item.

    A fingerprint match marks a possible re-upload and links the earliest matching video as the
    original (the points issue's "original footage" rule reads `CheckResult.original`).
    """
    video = Video.objects.select_for_update().get(pk=video_id)
    flags = list(technical_flags)
    if term_matches:
        flags.append("term")
    original = None
    if similar:
        flags.append("reupload")
        original = (
            Video.objects.filter(pk__in=[item["video_id"] for item in similar])
            .order_by("created_at", "id")
            .first()
        )
    result, _created = CheckResult.objects.update_or_create(
        video=video,
        defaults={
            "version": version,
            "term_matches": term_matches,
            "technical": technical,
            "flags": sorted(set(flags)),
            "similar": similar,
            "original": original,
        },
    )
    if hashes:
        VideoFingerprint.objects.update_or_create(
            video=video,
            defaults={
                "version": version,
                "hashes": fingerprints.pack(hashes),
                "frame_count": len(hashes),
            },
        )
    case = None
    if video.state == VideoState.PENDING_REVIEW:
        case = case_open_for_video(video_id=video.pk, flags=flags)
    _audit(
        actor=None,
        action=AuditAction.CHECK,
        case=case,
        video=video,
        after={
            "flags": sorted(set(flags)),
            "original": original.pk if original else None,
            "terms": [m["term"] for m in term_matches],
        },
    )
    return result
