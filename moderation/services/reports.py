"""Viewer reports on a published video, a visible comment or a person: one open report case per
thing reported, each person's report on it once; enough reporters hide a video until an editor
decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications import notify
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from fieldcast.videos import services as video_services
from fieldcast.videos.models import Video, VideoState
from moderation import reviewables
from moderation.models import AuditAction, Case, CaseKind, CaseStatus, Report, ReportReason
from moderation.services.audit import audit_write
from moderation.services.cases import new_case, set_priority
from moderation.services.reasons import check_text


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
    text = check_text(text, field="text")
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


def _report_case(*, lookup: dict[str, Any], submitted_by_id: int | None) -> Case:
    """The open report case of what `lookup` names ({"video": ...}), opened if there is none."""
    case = (
        Case.objects.select_for_update()
        .filter(kind=CaseKind.REPORT, status=CaseStatus.OPEN, **lookup)
        .first()
    )
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return new_case(kind=CaseKind.REPORT, submitted_by_id=submitted_by_id, **lookup)
    except IntegrityError:
        return Case.objects.select_for_update().get(
            kind=CaseKind.REPORT, status=CaseStatus.OPEN, **lookup
        )


def _report_video(*, reporter: User, video_id: int, reason: str, text: str) -> Report:
    video = Video.objects.select_for_update().filter(pk=video_id).first()
    if video is None or video.state != VideoState.PUBLISHED:
        raise NotFound(_("We could not find that video."))
    if video.owner_id == reporter.pk:
        raise ValidationFailed(_("You cannot report your own video."), code=ErrorCode.OWN_CONTENT)
    case = _report_case(lookup={"video": video}, submitted_by_id=video.owner_id)
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
        audit_write(
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
    comments = reviewables.reviewable(CaseKind.COMMENT)
    comment = comments.find(pk=comment_id, lock=True)
    item = comments.describe(comment) if comment is not None else None
    video = comments.video(comment) if comment is not None else None
    if (
        item is None
        or not item.shown
        or (video is not None and video.state != VideoState.PUBLISHED)
    ):
        raise NotFound(_("We could not find that comment."))
    if item.owner_id == reporter.pk:
        raise ValidationFailed(_("You cannot report your own comment."), code=ErrorCode.OWN_CONTENT)
    case = _report_case(lookup={"comment": comment}, submitted_by_id=item.owner_id)
    return _file_report(
        case=case,
        reporter=reporter,
        reason=reason,
        text=text,
        already=_("You already reported this comment. Editors will look at it."),
        target={"comment": comment},
        audit={"video": video, "subject_user": comments.owner(comment)},
    )


def _report_user(*, reporter: User, user_id: int, reason: str, text: str) -> Report:
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise NotFound(_("We could not find that person."))
    if target.pk == reporter.pk:
        raise ValidationFailed(_("You cannot report yourself."), code=ErrorCode.OWN_CONTENT)
    case = _report_case(lookup={"reported_user": target}, submitted_by_id=None)
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
        raise Conflict(already, code=ErrorCode.DUPLICATE)
    report = Report.objects.create(reporter=reporter, reason=reason, text=text, case=case, **target)
    set_priority(case)
    case.save(update_fields=["priority_boost_hours", "priority_at", "updated_at"])
    audit_write(
        actor=reporter,
        action=AuditAction.REPORT,
        case=case,
        reason=f"{reason}: {text}" if text else reason,
        **audit,
    )
    return report
