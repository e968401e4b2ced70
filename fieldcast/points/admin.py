"""Read-only admin views: the ledger and its records are append-only, written by services only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fieldcast.points.models import (
    Activity,
    PointEvent,
    PointsAccount,
    PromotionRecord,
    TierChange,
    ViewerRating,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PointEvent)
class PointEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "rule", "points", "key", "reason"]
    list_filter = ["rule"]
    search_fields = ["key", "user__email", "obj_ref"]
    raw_id_fields = ["user", "actor", "reverses"]
    date_hierarchy = "created_at"


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "total", "level", "tier", "city", "hide_from_boards"]
    list_filter = ["tier", "hide_from_boards"]
    search_fields = ["user__email", "city"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "from_tier", "to_tier", "total_at_change"]


@admin.register(PromotionRecord)
class PromotionRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "action", "role", "by", "reason"]


@admin.register(ViewerRating)
class ViewerRatingAdmin(ReadOnlyAdmin):
    list_display = ["month", "rater", "reporter", "stars"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "obj_ref"]
    list_filter = ["kind", "day"]
    raw_id_fields = ["user"]
    date_hierarchy = "day"
    show_full_result_count = False  # the trail is large: no COUNT(*) per page
