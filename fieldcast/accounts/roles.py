"""Roles are groups with permissions; this table is the one place that says who may do what."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, Group, Permission

VIEWER = "viewer"
REPORTER = "reporter"
EDITOR = "editor"
STAFF = "staff"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: [],
    REPORTER: ["upload_video", "go_live"],
    EDITOR: ["upload_video", "go_live", "moderate_content", "operate_studio"],
    STAFF: [
        "upload_video",
        "go_live",
        "moderate_content",
        "operate_studio",
        "promote_reporter",
        "view_dashboards",
    ],
}
ROLES = tuple(ROLE_PERMISSIONS)


def sync_roles() -> None:
    """Create the role groups and set their permissions to exactly the table above."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(
            content_type__app_label="accounts", codename__in=codenames
        )
        group.permissions.set(perms)


def sync_roles_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    sync_roles()


def has_role_permission(user: object, codename: str) -> bool:
    """Whether `user` (anyone, signed in or not) holds `codename` through a role."""
    return (
        isinstance(user, AbstractUser)
        and bool(user.is_authenticated)
        and user.has_perm(f"accounts.{codename}")
    )
