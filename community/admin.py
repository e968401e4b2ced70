"""Admin for community data; the comment log is read-only (append-only table)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from community.models import (
    Assignment,
    Comment,
    CommentAction,
    DigestRun,
    Event,
    EventRegistration,
    GuestExpert,
    NotificationSettings,
    Story,
    StoryItem,
)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "video", "author", "state", "depth", "created_at")
    list_filter = ("state",)
    search_fields = ("body",)
    raw_id_fields = ("video", "story", "author", "parent", "root")


@admin.register(CommentAction)
class CommentActionAdmin(admin.ModelAdmin):
    list_display = ("comment", "action", "actor", "created_at")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CommentAction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CommentAction | None = None) -> bool:
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


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "digest", "language", "last_digest_at")
    list_filter = ("digest",)
    raw_id_fields = ("user",)


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    """Which digests went out (read-only: a row is what stops a second email for its period)."""

    list_display = ("user", "period", "notification_count", "sent_at", "error")
    list_filter = ("period",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DigestRun | None = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are created and run on /community/events/ (the rules live in the services)."""

    list_display = ("id", "title", "kind", "starts_at", "capacity")
    list_filter = ("kind",)
    search_fields = ("title",)
    raw_id_fields = ("created_by",)


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "user", "state", "queued_at", "attended_at")
    list_filter = ("state",)
    raw_id_fields = ("event", "user", "attendance_marked_by")


@admin.register(GuestExpert)
class GuestExpertAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "granted_by", "granted_at")
    raw_id_fields = ("user", "granted_by")
