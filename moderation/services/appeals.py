"""Appeals: the uploader contests a rejection or removal, once; a different editor decides."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, NotAuthenticated, NotFound
from fieldcast.videos.models import Video, VideoState
from moderation.models import Appeal, AuditAction, Case, CaseKind, CaseStatus, Decision
from moderation.services.audit import audit_write
from moderation.services.cases import new_case
from moderation.services.reasons import check_text


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
            _("Only a rejected or removed video can be appealed."), code=ErrorCode.NOT_APPEALABLE
        )
    if Appeal.objects.filter(video=video).exists():
        raise Conflict(
            _("You have already appealed this decision."), code=ErrorCode.ALREADY_APPEALED
        )
    note = check_text(note, field="note", required=True)
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
        raise Conflict(_("There is no decision to appeal."), code=ErrorCode.NOT_APPEALABLE)
    case = new_case(
        kind=CaseKind.APPEAL,
        video=video,
        submitted_by=user,
        excluded_editor_id=decided.decided_by_id,
    )
    appeal = Appeal.objects.create(
        video=video, appellant=user, note=note, appealed_case=decided, case=case
    )
    audit_write(
        actor=user,
        action=AuditAction.APPEAL,
        case=case,
        video=video,
        reason=note,
        before={"video_state": video.state, "appealed_case": decided.pk},
    )
    return appeal
