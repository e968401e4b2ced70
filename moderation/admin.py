"""Admin: staff edit the term lists; the audit log is read-only there as everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moderation.models import AuditEntry, FilterTerm, TrustedReporter


@admin.register(FilterTerm)
class FilterTermAdmin(admin.ModelAdmin):
    list_display = ("term", "list_name")
    list_filter = ("list_name",)
    search_fields = ("term",)


@admin.register(TrustedReporter)
class TrustedReporterAdmin(admin.ModelAdmin):
    """Read-only: trust changes go through `trusted_reporter_set` (audited, re-prioritised)."""

    list_display = ("user", "set_by", "set_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "case", "video", "reason")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
