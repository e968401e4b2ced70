"""Who may moderate: the role checks every editor- and staff-facing entry point starts with."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fieldcast.accounts.guards import Requester, require_permission
from fieldcast.accounts.models import User


def ensure_editor(user: Requester) -> User:
    """The user if they may moderate; NotAuthenticated / PermissionDenied otherwise."""
    return require_permission(
        user, "moderate_content", message=_("Only editors can moderate content.")
    )


def ensure_staff(user: Requester) -> User:
    """The user if they may see staff dashboards (audit log, stats)."""
    return require_permission(user, "view_dashboards", message=_("Only staff can see this."))
