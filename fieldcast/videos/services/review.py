"""An editor's moves: publishing a clip, and the moderation decisions (called by moderation's
services, which check roles and claims)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications.notify import notify_video_published
from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.points.rules import Rule as PointsRule
from fieldcast.points.services import points_award
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.services.transitions import (
    _check_transition,
    _locked_video,
    _publish_state_on_commit,
)


@transaction.atomic
def video_publish(*, video: Video, editor: User, verification: str = "") -> Video:
    """pending_review -> published by an editor (moderate_content), with their verification note."""
    require_permission(editor, "moderate_content", message=_("Only editors can publish videos."))
    locked = _locked_video(video.pk)
    _check_transition(locked, VideoState.PUBLISHED, allowed_from={VideoState.PENDING_REVIEW})
    locked.state = VideoState.PUBLISHED
    locked.published_at = timezone.now()
    locked.verification_note = verification
    locked.reviewed_by = editor
    locked.save(
        update_fields=["state", "published_at", "verification_note", "reviewed_by", "updated_at"]
    )
    points_award(
        user=locked.owner,
        rule=PointsRule.VIDEO_PUBLISHED,
        obj=locked,
        key=f"video_published:{locked.pk}",
        assignment_ref=locked.assignment_ref,
    )
    notify_video_published(video=locked)
    _publish_state_on_commit(locked)
    return locked


def _moderation_move(
    *, video_id: int, target: str, allowed_from: set[str], reason: str | None, editor: User | None
) -> Video:
    locked = _locked_video(video_id)
    _check_transition(locked, target, allowed_from=allowed_from)
    fields = ["state", "updated_at"]
    locked.state = target
    if reason is not None:
        locked.state_reason = reason
        fields.append("state_reason")
    if editor is not None:
        locked.reviewed_by = editor
        fields.append("reviewed_by")
    if target == VideoState.PUBLISHED and locked.published_at is None:
        locked.published_at = timezone.now()
        fields.append("published_at")
    locked.save(update_fields=fields)
    _publish_state_on_commit(locked)
    return locked


@transaction.atomic
def video_reject(*, video_id: int, editor: User, reason: str) -> Video:
    """pending_review -> rejected, with the reason the reporter will read."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.REJECTED,
        allowed_from={VideoState.PENDING_REVIEW},
        reason=reason,
        editor=editor,
    )


@transaction.atomic
def video_hide(*, video_id: int, reason: str) -> Video:
    """published -> hidden (viewer reports past the threshold, or an editor) until a decision."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.HIDDEN,
        allowed_from={VideoState.PUBLISHED},
        reason=reason,
        editor=None,
    )


@transaction.atomic
def video_restore(*, video_id: int, editor: User) -> Video:
    """hidden -> published: an editor dismissed the reports."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.PUBLISHED,
        allowed_from={VideoState.HIDDEN},
        reason="",
        editor=editor,
    )


@transaction.atomic
def video_remove(*, video_id: int, editor: User, reason: str) -> Video:
    """published|hidden -> removed by an editor, with the reason the uploader will read."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.REMOVED,
        allowed_from={VideoState.PUBLISHED, VideoState.HIDDEN},
        reason=reason,
        editor=editor,
    )


@transaction.atomic
def video_reinstate(*, video_id: int, editor: User) -> Video:
    """rejected|removed -> published: a second editor granted the uploader's appeal."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.PUBLISHED,
        allowed_from={VideoState.REJECTED, VideoState.REMOVED},
        reason="",
        editor=editor,
    )
