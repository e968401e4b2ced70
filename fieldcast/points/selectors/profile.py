"""The points card on a profile: total, level, tier, and what would reach the next level."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fieldcast.accounts.models import User
from fieldcast.points import levels
from fieldcast.points.models import Nudge, NudgeKind, TierChange
from fieldcast.points.selectors.records import account_for, is_network_reporter, reporter_record

NUDGE_SHOWN_FOR = timedelta(days=7)


def nudge_text(nudge: Nudge) -> str:
    """The nudge in the reader's language, e.g. "12 points to level 5: one published clip …"."""
    clips = ngettext(
        "one published clip would do it",
        "%(count)s published clips would do it",
        nudge.clips,
    ) % {"count": nudge.clips}
    if nudge.kind == NudgeKind.LEVEL:
        return ngettext(
            "%(gap)s point to level %(level)s: %(clips)s.",
            "%(gap)s points to level %(level)s: %(clips)s.",
            nudge.gap,
        ) % {"gap": nudge.gap, "level": nudge.target, "clips": clips}
    return ngettext(
        "%(gap)s point to %(tier)s: %(clips)s.",
        "%(gap)s points to %(tier)s: %(clips)s.",
        nudge.gap,
    ) % {"gap": nudge.gap, "tier": levels.tier_label(nudge.target), "clips": clips}


@dataclass
class PointsSummary:
    total: int
    level: int
    next_level: int | None
    next_level_gap: int | None
    level_progress: int  # percent of the way from this level to the next
    tier: str
    tier_label: str
    next_tier_label: str | None
    next_tier_missing: list[str] = field(default_factory=list)
    nudge: str | None = None
    hidden: bool = False
    network_reporter: bool = False
    last_tier_change: TierChange | None = None


def points_summary(*, user: User) -> PointsSummary:
    """Everything the profile card shows, in a handful of queries."""
    account = account_for(user=user)
    total = int(account.total)
    upcoming = levels.next_level(total)
    level = levels.level_for(total)
    progress = 100
    if upcoming is not None:
        floor = levels_floor(level)
        progress = int(100 * (total - floor) / max(1, upcoming[1] - floor))
    record = reporter_record(user=user, total=total)
    next_tier = levels.tier_next(record)
    missing: list[str] = []
    if next_tier is not None:
        for what, amount in levels.tier_missing(record, next_tier).items():
            missing.append(_missing_text(what, amount, next_tier))
    nudge = (
        Nudge.objects.filter(user=user, day__gte=timezone.localdate() - NUDGE_SHOWN_FOR)
        .order_by("-day")
        .first()
    )
    return PointsSummary(
        total=total,
        level=level,
        next_level=upcoming[0] if upcoming else None,
        next_level_gap=upcoming[1] - total if upcoming else None,
        level_progress=max(0, min(100, progress)),
        tier=account.tier,
        tier_label=levels.tier_label(account.tier),
        next_tier_label=levels.tier_label(next_tier.code) if next_tier else None,
        next_tier_missing=missing,
        nudge=nudge_text(nudge)
        if nudge and _nudge_still_ahead(nudge, level, account.tier)
        else None,
        hidden=account.hide_from_boards,
        network_reporter=is_network_reporter(user=user),
        last_tier_change=TierChange.objects.filter(user=user).first(),
    )


def _nudge_still_ahead(nudge: Nudge, level: int, tier: str) -> bool:
    """A nudge stops showing once its target is reached."""
    if nudge.kind == NudgeKind.LEVEL:
        return int(nudge.target) > level
    codes = [row.code for row in levels.tier_table()]
    return tier in codes and nudge.target in codes and codes.index(nudge.target) > codes.index(tier)


def levels_floor(level: int) -> int:
    return int(settings.POINTS_LEVELS[level - 1])


def _missing_text(what: str, amount: float, requirement: levels.TierRequirement) -> str:
    if what == "points":
        return ngettext("%(n)s more point", "%(n)s more points", int(amount)) % {"n": int(amount)}
    if what == "published":
        return ngettext("%(n)s more published clip", "%(n)s more published clips", int(amount)) % {
            "n": int(amount)
        }
    if what == "rejection_rate":
        return _("fewer rejected clips (at most %(rate)s%% rejected)") % {
            "rate": round(requirement.max_rejection_rate * 100)
        }
    days = math.ceil(amount)
    return ngettext("%(n)s more day on Fieldcast", "%(n)s more days on Fieldcast", days) % {
        "n": days
    }
