"""The rules that pay or cost points: names here, values in `settings.POINTS_RULES` (one table)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings


class Rule(StrEnum):
    VIDEO_PUBLISHED = "video_published"
    ORIGINAL_FOOTAGE = "original_footage"
    USED_ON_AIR = "used_on_air"
    LIVE_APPROVED = "live_approved"
    ASSIGNMENT_CONTRIBUTION = "assignment_contribution"
    COMMENT = "comment"
    LIKE_RECEIVED = "like_received"
    EVENT_ATTENDED = "event_attended"
    RATING_TOP1 = "rating_top1"
    RATING_TOP2 = "rating_top2"
    RATING_TOP3 = "rating_top3"
    CONTENT_REMOVED = "content_removed"
    ABUSE_REPORT_UPHELD = "abuse_report_upheld"
    MANUAL_ADJUSTMENT = "manual_adjustment"


RATING_TOP_RULES = (Rule.RATING_TOP1, Rule.RATING_TOP2, Rule.RATING_TOP3)


@dataclass(frozen=True)
class RuleConfig:
    name: str
    points: int
    daily_cap: int | None


def rule_config(name: str) -> RuleConfig | None:
    """The configured value of a rule, or None if the settings table does not know it."""
    row = settings.POINTS_RULES.get(str(name))
    if row is None:
        return None
    cap = row.get("daily_cap")
    return RuleConfig(name=str(name), points=int(row["points"] or 0), daily_cap=cap)


def apply_multiplier(*, base_points: int, total_before: int) -> int:
    """Past the threshold, positive awards grow (e.g. +60%); penalties never do."""
    if base_points <= 0 or total_before < settings.POINTS_MULTIPLIER_THRESHOLD:
        return base_points
    # Integer arithmetic, rounded half up, so the ledger never holds fractions.
    return (base_points * settings.POINTS_MULTIPLIER_PERCENT + 50) // 100
