"""Admin for community data; the comment log is read-only (append-only table)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from community.models import Assignment, Comment, CommentAction, Story, StoryItem


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "video", "author", "state", "depth", "created_at")
    list_filter = ("state",)
    search_fields = ("body",)
    raw_id_fields = ("video", "author", "parent", "root")


@admin.register(CommentAction)
class CommentActionAdmin(admin.ModelAdmin):
    list_display = ("comment", "action", "actor", "created_at")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("title", "city", "urgency", "state", "points_bonus", "created_at")
    list_filter = ("state", "urgency")
    search_fields = ("title", "city")


class StoryItemInline(admin.TabularInline):
    model = StoryItem
    raw_id_fields = ("video", "added_by")
    extra = 0


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "updated_at")
    inlines = (StoryItemInline,)
