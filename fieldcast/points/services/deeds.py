"""Deeds decided elsewhere (moderation, live): the points they pay or take back."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.points.models import PointEvent
from fieldcast.points.rules import Rule
from fieldcast.points.services.ledger import points_award, points_reverse
from fieldcast.videos.models import Video, VideoState
from ingest.models import LiveSource
from moderation.models import CheckResult

# --- Deeds decided elsewhere (moderation, live) -----------------------------------------------
#
# Each function is called by the service that makes the decision, inside its transaction (and is
# one transaction itself when called alone), and keys every deed so a repeated delivery pays (or
# costs) once.

APPROVAL_RULES = (Rule.VIDEO_PUBLISHED, Rule.ORIGINAL_FOOTAGE)


def _in_state(video: Video, state: str) -> bool:
    """The clip's state in the database now (the caller's instance may predate the change)."""
    return Video.objects.filter(pk=video.pk, state=state).exists()


def _award_revision(
    *, user: User, rule: str, obj: models.Model, base_key: str, assignment_ref: str = ""
) -> PointEvent | None:
    """Pay a deed that may be undone and done again (an approval, then a removal, then an
    appeal granted): the first time under `base_key`, after each reversal under
    "<base_key>:again:<n>". While one of them stands unreversed, nothing more is paid."""
    paid = list(
        PointEvent.objects.filter(
            models.Q(key=base_key) | models.Q(key__startswith=f"{base_key}:again:"),
            reverses__isnull=True,
        ).values_list("key", "reversed_by__pk")
    )
    if any(reversal is None for _key, reversal in paid):
        return None
    key = base_key if not paid else f"{base_key}:again:{len(paid)}"
    return points_award(user=user, rule=rule, obj=obj, key=key, assignment_ref=assignment_ref)


@transaction.atomic
def points_original_footage(*, video: Video) -> PointEvent | None:
    """At approval: "original_footage" when the fingerprint check found no earlier match.

    A video the checks never looked at earns nothing (originality is not known). Re-approval
    after a removal and a granted appeal pays again (the removal reversed the first payment).
    """
    if not _in_state(video, VideoState.PUBLISHED):
        return None  # a late or stray delivery: only a published clip earns it
    checks = CheckResult.objects.filter(video_id=video.pk).values_list("similar", "original_id")
    found = checks.first()
    if found is None or found[0] or found[1] is not None:
        return None
    return _award_revision(
        user=video.owner,
        rule=Rule.ORIGINAL_FOOTAGE,
        obj=video,
        base_key=f"{Rule.ORIGINAL_FOOTAGE}:{video.pk}",
    )


@transaction.atomic
def points_approval_undo(*, video: Video, reason: str) -> list[PointEvent]:
    """An approval was undone (the video removed or unpublished): every standing approval
    payment for it ("video_published", "original_footage") gets a reversal event."""
    content_type = ContentType.objects.get_for_model(Video)
    standing = (
        PointEvent.objects.filter(
            content_type=content_type,
            object_id=str(video.pk),
            rule__in=[str(rule) for rule in APPROVAL_RULES],
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .order_by("pk")
        .values_list("key", flat=True)
    )
    return [points_reverse(event_key=key, reason=reason) for key in list(standing)]


@transaction.atomic
def points_content_removed(*, video: Video, reason: str) -> PointEvent | None:
    """Published content removed after review: its approval payments are reversed and the
    owner pays the "content_removed" penalty, once per removal."""
    if not _in_state(video, VideoState.REMOVED):
        return None
    points_approval_undo(video=video, reason=reason)
    return _award_revision(
        user=video.owner,
        rule=Rule.CONTENT_REMOVED,
        obj=video,
        base_key=f"{Rule.CONTENT_REMOVED}:{video.pk}",
    )


@transaction.atomic
def points_video_reinstated(*, video: Video, reason: str = "") -> list[PointEvent]:
    """An appeal was granted (rejected or removed -> published): a removal penalty is reversed,
    and the approval pays again like a first publication (original footage included)."""
    reason = reason.strip() or _("Appeal granted")
    events: list[PointEvent] = []
    if not _in_state(video, VideoState.PUBLISHED):
        return events
    penalty = PointEvent.objects.filter(
        models.Q(key=f"{Rule.CONTENT_REMOVED}:{video.pk}")
        | models.Q(key__startswith=f"{Rule.CONTENT_REMOVED}:{video.pk}:again:"),
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).first()
    if penalty is not None:
        events.append(points_reverse(event_key=penalty.key, reason=reason))
    published = _award_revision(
        user=video.owner,
        rule=Rule.VIDEO_PUBLISHED,
        obj=video,
        base_key=f"{Rule.VIDEO_PUBLISHED}:{video.pk}",
        assignment_ref=video.assignment_ref,
    )
    original = points_original_footage(video=video)
    events.extend(event for event in (published, original) if event is not None)
    return events


def points_report_upheld(*, offender: User, case_id: int) -> PointEvent | None:
    """Editors upheld viewer reports against a person: "abuse_report_upheld", once per case."""
    return points_award(
        user=offender,
        rule=Rule.ABUSE_REPORT_UPHELD,
        obj=f"case:{case_id}",
        key=f"{Rule.ABUSE_REPORT_UPHELD}:case:{case_id}",
    )


def points_live_approved(*, source: LiveSource) -> PointEvent | None:
    """An editor approved a live source: "live_approved", once per source."""
    return points_award(
        user=source.reporter,
        rule=Rule.LIVE_APPROVED,
        obj=source,
        key=f"{Rule.LIVE_APPROVED}:{source.pk}",
        assignment_ref=source.assignment_ref,
    )
