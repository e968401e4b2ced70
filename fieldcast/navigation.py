"""The header navigation for each role, built in one place for every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fieldcast.accounts import roles
from fieldcast.accounts.selectors import user_capabilities, user_roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    needs: str | None = None  # a role permission codename, None for everyone
    staff_site: bool = False  # Django admin: is_staff flag
    signed_in: bool = False  # any logged-in person


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home"),
    NavItem(_("Search"), "search"),
    NavItem(_("Upload"), "video-upload", needs="upload_video"),
    NavItem(_("My videos"), "my-videos", needs="upload_video"),
    NavItem(_("Assignments"), "community:assignments"),
    NavItem(_("Stories"), "community:stories"),
    NavItem(_("Events"), "community:events"),
    NavItem(_("Go live"), "ingest:go-live", needs="go_live"),
    NavItem(_("Live sources"), "ingest:sources", needs="moderate_content"),
    NavItem(_("Studio"), "studio:index", needs="operate_studio"),
    NavItem(_("Leaderboards"), "points-leaderboards"),
    NavItem(_("Promotions"), "points-promotions", needs="promote_reporter"),
    NavItem(_("Dashboard"), "points-dashboard", needs="view_dashboards"),
    NavItem(_("Moderation"), "moderation-queue", needs="moderate_content"),
    NavItem(_("Held comments"), "community:held", needs="moderate_content"),
    NavItem(_("Notices"), "moderation-notices", signed_in=True),
    NavItem(_("Admin"), "admin:index", staff_site=True),
)

ROLE_LABELS = {
    roles.VIEWER: _("Viewer"),
    roles.REPORTER: _("Reporter"),
    roles.EDITOR: _("Editor"),
    roles.STAFF: _("Staff"),
}


def navigation(request: HttpRequest) -> dict[str, object]:
    """Template context: the links this person may use and the badge of their highest role."""
    user = request.user
    capabilities = user_capabilities(user=user)
    items = []
    for item in NAV_ITEMS:
        if item.staff_site and not (user.is_authenticated and user.is_staff):
            continue
        if item.signed_in and not user.is_authenticated:
            continue
        if item.needs and not capabilities.get(item.needs):
            continue
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "active": request.path == url})
    held = user_roles(user=user)
    top_role = held[-1] if held else None
    return {
        "nav_items": items,
        "capabilities": capabilities,
        "role_badge": ROLE_LABELS.get(top_role) if top_role else None,
        "role_name": top_role,
    }
