"""Every write about points. Nothing else in Fieldcast writes points.

The ledger (`PointEvent`) is append-only: a deed pays through `points_award`, a mistake is undone
by `points_reverse` (a new, negative event), staff corrections go through `points_adjust`. Each
of these locks the user's `PointsAccount` row first, so every write for one user is serialised:
the idempotency check, the cached totals (updated with `F()`), the tier and the nudge all happen
in that one transaction.

One module per use case; this package re-exports their services, so callers import
`fieldcast.points.services` as before.
"""

from fieldcast.points.services.activity import activities_record, activity_record
from fieldcast.points.services.boards import points_board_visibility_set
from fieldcast.points.services.deeds import (
    APPROVAL_RULES,
    points_approval_undo,
    points_content_removed,
    points_live_approved,
    points_original_footage,
    points_report_upheld,
    points_video_reinstated,
)
from fieldcast.points.services.ledger import (
    KEY_MAX_LENGTH,
    period_starts,
    points_adjust,
    points_award,
    points_reverse,
    points_tier_refresh,
    tier_change_notify,
)
from fieldcast.points.services.promotion import reporter_demote, reporter_promote
from fieldcast.points.services.rating import rating_month_bonus_pay, rating_submit

__all__ = [
    "APPROVAL_RULES",
    "KEY_MAX_LENGTH",
    "activities_record",
    "activity_record",
    "period_starts",
    "points_adjust",
    "points_approval_undo",
    "points_award",
    "points_board_visibility_set",
    "points_content_removed",
    "points_live_approved",
    "points_original_footage",
    "points_report_upheld",
    "points_reverse",
    "points_tier_refresh",
    "points_video_reinstated",
    "rating_month_bonus_pay",
    "rating_submit",
    "reporter_demote",
    "reporter_promote",
    "tier_change_notify",
]
