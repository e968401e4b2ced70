"""A person's points record: level, tier, what they have done, whether they are trusted."""

from __future__ import annotations

from django.db.models import CharField, Count, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.points import levels
from fieldcast.points.models import (
    Activity,
    ActivityKind,
    PointEvent,
    PointsAccount,
    PromotionAction,
    PromotionRecord,
    Tier,
)
from fieldcast.points.rules import Rule
from fieldcast.videos.models import Video, VideoState

REPORTER_RULES = (
    Rule.VIDEO_PUBLISHED,
    Rule.ORIGINAL_FOOTAGE,
    Rule.USED_ON_AIR,
    Rule.LIVE_APPROVED,
    Rule.ASSIGNMENT_CONTRIBUTION,
)


def reporter_record(*, user: User, total: int) -> levels.ReporterRecord:
    """What tiers look at, in one query on videos."""
    counts = Video.objects.filter(owner=user).aggregate(
        published=Count("pk", filter=Q(state=VideoState.PUBLISHED)),
        rejected=Count("pk", filter=Q(state=VideoState.REJECTED)),
    )
    return levels.ReporterRecord(
        total=total,
        published=counts["published"],
        rejected=counts["rejected"],
        account_days=max(0, (timezone.now() - user.date_joined).days),
    )


def reporter_has_published(*, user: User) -> bool:
    return Video.objects.filter(owner=user, state=VideoState.PUBLISHED).exists()


def has_watched(*, viewer: User, reporter: User) -> bool:
    """Did the viewer watch (a counted view in the activity trail) any published clip of the
    reporter? Viewers rate only reporters whose work they watched."""
    refs = (
        Video.objects.filter(owner=reporter, state=VideoState.PUBLISHED)
        .annotate(ref=Concat(Value("video:"), Cast("pk", output_field=CharField())))
        .values("ref")
    )
    return Activity.objects.filter(
        user=viewer, kind=ActivityKind.VIEW, obj_ref__in=Subquery(refs)
    ).exists()


def is_network_reporter(*, user: User) -> bool:
    """The latest promotion record decides: promoted and not demoted since."""
    last = PromotionRecord.objects.filter(user=user).order_by("-created_at", "-pk").first()
    return last is not None and last.action == PromotionAction.PROMOTE


def account_for(*, user: User) -> PointsAccount:
    """The user's account, or an unsaved empty one if they never earned a point."""
    account = PointsAccount.objects.filter(user=user).first()
    return account or PointsAccount(user=user, city=user.city)


def user_is_trusted(*, user: User) -> bool:
    """Trusted and star reporters' items go first in moderation (the moderation queue's flag)."""
    return user_id_is_trusted(user_id=user.pk)


def user_id_is_trusted(*, user_id: int) -> bool:
    """The same by id, for callers that hold only an id (moderation's priority)."""
    return PointsAccount.objects.filter(
        user_id=user_id, tier__in=[Tier.TRUSTED, Tier.STAR]
    ).exists()


def point_events_for_user(*, user: User, limit: int = 20) -> list[PointEvent]:
    return list(PointEvent.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])
