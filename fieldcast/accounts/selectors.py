"""Reads about people."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from fieldcast.accounts import roles
from fieldcast.accounts.models import ApiToken, User
from fieldcast.accounts.services import hash_api_key


def api_token_for_key(*, key: str) -> ApiToken | None:
    """The active token with this key: its owner is active and it was used (or created) within
    API_TOKEN_IDLE_DAYS; an idle token has expired."""
    cutoff = timezone.now() - timedelta(days=settings.API_TOKEN_IDLE_DAYS)
    recent = Q(last_used_at__gte=cutoff) | Q(last_used_at__isnull=True, created_at__gte=cutoff)
    return (
        ApiToken.objects.select_related("user")
        .filter(recent, key_hash=hash_api_key(key), user__is_active=True)
        .first()
    )


def user_roles(*, user: User | AnonymousUser) -> list[str]:
    """The roles a person holds, in order of rank (viewer first)."""
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in roles.ROLES if role in names]


def user_capabilities(*, user: User | AnonymousUser) -> dict[str, bool]:
    """What the navigation and pages need to know about a person, in one read."""
    if not user.is_authenticated:
        return dict.fromkeys(roles.ROLE_PERMISSIONS[roles.STAFF], False)
    perms = user.get_all_permissions()
    return {code: f"accounts.{code}" in perms for code in roles.ROLE_PERMISSIONS[roles.STAFF]}
