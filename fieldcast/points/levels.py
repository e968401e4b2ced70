"""Levels and tiers from the thresholds in settings: pure functions, no database."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fieldcast.points.models import Tier


def level_for(total: int) -> int:
    """Level 1 from 0 points; level n+1 from POINTS_LEVELS[n]."""
    return max(1, bisect_right(settings.POINTS_LEVELS, total))


def next_level(total: int) -> tuple[int, int] | None:
    """(the next level, the points it starts at), or None at the top level."""
    current = level_for(total)
    thresholds = settings.POINTS_LEVELS
    if current >= len(thresholds):
        return None
    return current + 1, int(thresholds[current])


@dataclass(frozen=True)
class TierRequirement:
    code: str
    min_points: int = 0
    min_published: int = 0
    max_rejection_rate: float = 1.0
    min_account_days: int = 0


@dataclass(frozen=True)
class ReporterRecord:
    """What tiers look at: points, published and rejected clips, days since sign-up."""

    total: int
    published: int
    rejected: int
    account_days: int

    @property
    def rejection_rate(self) -> float:
        reviewed = self.published + self.rejected
        return self.rejected / reviewed if reviewed else 0.0


def tier_table() -> list[TierRequirement]:
    return [
        TierRequirement(
            code=str(row["code"]),
            min_points=int(_threshold(row, "min_points", 0)),
            min_published=int(_threshold(row, "min_published", 0)),
            max_rejection_rate=float(_threshold(row, "max_rejection_rate", 1.0)),
            min_account_days=int(_threshold(row, "min_account_days", 0)),
        )
        for row in settings.POINTS_TIERS
    ]


def _threshold(row: Mapping[str, object], key: str, default: float) -> float | str:
    """One number of a POINTS_TIERS row (a string such as "10" is read as the number)."""
    value = row.get(key, default)
    if not isinstance(value, int | float | str):
        raise ImproperlyConfigured(f"POINTS_TIERS: {key} must be a number, not {value!r}")
    return value


def tier_missing(record: ReporterRecord, requirement: TierRequirement) -> dict[str, float]:
    """What is still missing for a tier: {"points": 40, "published": 2, ...}; empty when met."""
    missing: dict[str, float] = {}
    if record.total < requirement.min_points:
        missing["points"] = requirement.min_points - record.total
    if record.published < requirement.min_published:
        missing["published"] = requirement.min_published - record.published
    if record.rejection_rate > requirement.max_rejection_rate:
        missing["rejection_rate"] = record.rejection_rate - requirement.max_rejection_rate
    if record.account_days < requirement.min_account_days:
        missing["account_days"] = requirement.min_account_days - record.account_days
    return missing


def tier_for(record: ReporterRecord) -> str:
    """The highest tier whose requirements (and every lower tier's) the record meets."""
    held = Tier.VIEWER.value
    for requirement in tier_table():
        if tier_missing(record, requirement):
            break
        held = requirement.code
    return held


def tier_next(record: ReporterRecord) -> TierRequirement | None:
    """The tier above the one the record holds, or None at the top."""
    table = tier_table()
    codes = [row.code for row in table]
    index = codes.index(tier_for(record))
    return table[index + 1] if index + 1 < len(table) else None


def tier_label(code: str) -> str:
    try:
        return str(Tier(code).label)
    except ValueError:
        return code
