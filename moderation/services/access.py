"""Who may moderate: the role checks every editor- and staff-facing entry point starts with."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotAuthenticated, PermissionDenied


def ensure_editor(user: User | AnonymousUser) -> User:
    """The user if they may moderate; NotAuthenticated / PermissionDenied otherwise."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not roles.has_role_permission(user, "moderate_content"):
        raise PermissionDenied(_("Only editors can moderate content."))
    return user  # type: ignore[return-value]


def ensure_staff(user: User | AnonymousUser) -> User:
    """The user if they may see staff dashboards (audit log, stats)."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not roles.has_role_permission(user, "view_dashboards"):
        raise PermissionDenied(_("Only staff can see this."))
    return user  # type: ignore[return-value]
