"""Reads for moderation: the queue, one item with everything a reviewer needs, the audit log and
stats. Callers check the role (services.ensure_editor / ensure_staff) first.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.points import selectors as points_selectors
from fieldcast.videos.models import Video, VideoState
from moderation import priority, reviewables
from moderation.models import (
    AuditEntry,
    Case,
    CaseKind,
    CaseStatus,
    CheckResult,
    Report,
    TrustedReporter,
)

QUEUE_ORDERS = ("newest", "priority")
ASSIGNMENT_FILTERS = ("mine", "unclaimed", "others")


def queue_cases(
    *,
    editor: User,
    kind: str = "",
    flag: str = "",
    reporter_id: int | None = None,
    assignment: str = "",
    order: str = "newest",
) -> QuerySet[Case]:
    """Open queue items; newest first, or by priority (moderation.priority)."""
    cases = Case.objects.filter(status=CaseStatus.OPEN).select_related(
        "video",
        "video__owner",
        "submitted_by",
        "claimed_by",
        "reported_user",
        "live_source",
        "live_source__reporter",
        "comment",
        "comment__author",
        "comment__video",
        "comment__story",
    )
    # An appeal is routed away from the editor whose decision it contests.
    cases = cases.exclude(excluded_editor=editor)
    if kind:
        cases = cases.filter(kind=kind)
    if flag:
        cases = cases.filter(flag_index__contains=f" {flag} ")
    if reporter_id is not None:
        cases = cases.filter(submitted_by_id=reporter_id)
    now = timezone.now()
    live_claim = Q(claimed_by__isnull=False, claimed_until__gt=now)
    if assignment == "mine":
        cases = cases.filter(live_claim, claimed_by=editor)
    elif assignment == "unclaimed":
        cases = cases.exclude(live_claim)
    elif assignment == "others":
        cases = cases.filter(live_claim).exclude(claimed_by=editor)
    if order == "priority":
        return cases.order_by("priority_at", "id")
    return cases.order_by("-created_at", "-id")


def case_claim_is_live(case: Case, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(case.claimed_by_id and case.claimed_until and case.claimed_until > now)


def case_priority_score(case: Case, *, now: datetime | None = None) -> float:
    return priority.priority_score(
        created_at=case.created_at,
        boost_hours=case.priority_boost_hours,
        now=now or timezone.now(),
    )


@dataclass
class UploaderHistory:
    approved: int
    rejected: int
    removed: int
    trusted: bool  # flagged by staff in moderation
    tier: str  # the points tier's label ("Trusted reporter", ...)


def uploader_history(*, user: User) -> UploaderHistory:
    counts = Video.objects.filter(owner=user).aggregate(
        approved=Count("id", filter=Q(state__in=[VideoState.PUBLISHED, VideoState.HIDDEN])),
        rejected=Count("id", filter=Q(state=VideoState.REJECTED)),
        removed=Count("id", filter=Q(state=VideoState.REMOVED)),
    )
    return UploaderHistory(
        approved=counts["approved"],
        rejected=counts["rejected"],
        removed=counts["removed"],
        trusted=TrustedReporter.objects.filter(user=user).exists(),
        tier=str(points_selectors.account_for(user=user).get_tier_display()),
    )


@dataclass
class CaseReview:
    case: Case
    video: Video | None
    history: UploaderHistory | None
    checks: CheckResult | None
    reports: list[Report] = field(default_factory=list)
    appeal_note: str = ""
    similar: list[Video] = field(default_factory=list)


def case_for_review(*, case_id: int) -> CaseReview | None:
    """One item with what a reviewer needs: video, uploader history, checks, reports, appeal."""
    case = (
        Case.objects.select_related(
            "video",
            "video__owner",
            "claimed_by",
            "reported_user",
            "decided_by",
            "excluded_editor",
            "live_source",
            "live_source__reporter",
            "comment",
            "comment__author",
            "comment__video",
            "comment__story",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return None
    video = case.video
    history = uploader_history(user=video.owner) if video is not None else None
    checks = CheckResult.objects.filter(video=video).first() if video is not None else None
    similar: list[Video] = []
    if checks is not None and checks.similar:
        ids = [item["video_id"] for item in checks.similar]
        similar = list(Video.objects.filter(pk__in=ids))
    appeal_note = ""
    if case.kind == CaseKind.APPEAL and hasattr(case, "appeal"):
        appeal_note = case.appeal.note
    return CaseReview(
        case=case,
        video=video,
        history=history,
        checks=checks,
        reports=list(case.reports.select_related("reporter")),
        appeal_note=appeal_note,
        similar=similar,
    )


def case_neighbours(*, case: Case, ordered: QuerySet[Case]) -> tuple[int | None, int | None]:
    """The previous and next item ids around `case` in a queue ordering (for j/k)."""
    ids = list(ordered.values_list("id", flat=True)[:500])
    if case.pk not in ids:
        return None, (ids[0] if ids else None)
    index = ids.index(case.pk)
    return (ids[index - 1] if index > 0 else None), (
        ids[index + 1] if index + 1 < len(ids) else None
    )


def audit_entries(
    *,
    action: str = "",
    actor_id: int | None = None,
    video_id: int | None = None,
    case_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "subject_user")
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if video_id is not None:
        entries = entries.filter(video_id=video_id)
    if case_id is not None:
        entries = entries.filter(case_id=case_id)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-created_at", "-id")


def report_subject(
    *, video_id: int | None, user_id: int | None, comment_id: int | None
) -> Video | User | str | None:
    """What the report page names: a published video, an active person, or the excerpt of a
    comment people can see; None when there is no such thing to report."""
    if video_id is not None:
        return Video.objects.filter(pk=video_id, state=VideoState.PUBLISHED).first()
    if comment_id is not None:
        comments = reviewables.reviewable(CaseKind.COMMENT)
        comment = comments.find(pk=comment_id)
        item = comments.describe(comment) if comment is not None else None
        return item.summary if item is not None and item.shown else None
    return User.objects.filter(pk=user_id or 0, is_active=True).first()


def changes_requested_cases(*, user: User) -> QuerySet[Case]:
    """The person's videos an editor sent back with a request for changes."""
    return Case.objects.filter(
        kind=CaseKind.VIDEO, status=CaseStatus.CHANGES_REQUESTED, video__owner=user
    ).select_related("video")


def appealable_videos(*, user: User) -> QuerySet[Video]:
    """The person's rejected or removed videos they have not appealed yet."""
    return Video.objects.filter(
        owner=user, state__in=[VideoState.REJECTED, VideoState.REMOVED], appeal__isnull=True
    ).order_by("-updated_at")


def moderation_stats() -> dict[str, Any]:
    """Queue length by kind, median time to decision, decisions per editor, rejection reasons."""
    queue = dict(
        Case.objects.filter(status=CaseStatus.OPEN)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    decided = Case.objects.filter(status__in=[CaseStatus.DECIDED, CaseStatus.CHANGES_REQUESTED])
    durations = [
        (decided_at - created_at).total_seconds()
        for created_at, decided_at in decided.exclude(decided_at__isnull=True).values_list(
            "created_at", "decided_at"
        )[:5000]
        if decided_at is not None  # always, by the exclude; this tells the type checker
    ]
    per_editor = list(
        decided.exclude(decided_by__isnull=True)
        .values("decided_by__email", "decided_by__display_name")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    reasons = list(
        decided.exclude(reason_code="").values("reason_code").annotate(n=Count("id")).order_by("-n")
    )
    return {
        "queue_by_kind": {kind: queue.get(kind, 0) for kind in CaseKind.values},
        "median_decision_seconds": statistics.median(durations) if durations else None,
        "decisions": len(durations),
        "per_editor": [
            {"editor": row["decided_by__display_name"] or row["decided_by__email"], "n": row["n"]}
            for row in per_editor
        ],
        "rejection_reasons": [{"reason": row["reason_code"], "n": row["n"]} for row in reasons],
    }
