"""The audit log's writes: who did what to which case, with the state before and after."""

from __future__ import annotations

from typing import Any

from fieldcast.accounts.models import User
from fieldcast.videos.models import Video
from moderation import reviewables
from moderation.models import AuditEntry, Case, CaseKind


def audit_write(
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
    """One append-only entry; the video defaults to the case's."""
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


def case_state(case: Case) -> dict[str, Any]:
    """The case and its item as the audit log records them before and after a change."""
    state: dict[str, Any] = {
        "status": case.status,
        "decision": case.decision,
        "claimed_by": case.claimed_by_id,
        "video_state": case.video.state if case.video is not None else None,
    }
    if case.live_source is not None:
        state["source_state"] = case.live_source.state
    if case.comment is not None:
        state["comment_state"] = (
            reviewables.reviewable(CaseKind.COMMENT).describe(case.comment).state
        )
    return state
