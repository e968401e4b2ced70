"""Writes about people: roles, API tokens, profiles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts import avatars, roles
from fieldcast.accounts.models import ApiToken, User
from fieldcast.core.errors import NotFound, PermissionDenied, ValidationFailed

TOKEN_PREFIX_LENGTH = 8
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def user_setup_new(*, user: User) -> User:
    """Every new account is a viewer; roles beyond that are earned or granted."""
    roles.sync_roles()
    user.groups.add(Group.objects.get(name=roles.VIEWER))
    return user


@transaction.atomic
def user_grant_reporter_on_verified_email(*, user: User) -> User:
    """A verified email makes a viewer a reporter: they may upload and go live."""
    user.groups.add(Group.objects.get(name=roles.REPORTER))
    return user


@transaction.atomic
def user_grant_role(*, user: User, role: str, granted_by: User | None) -> User:
    """Put a user in a role group (staff only, or the system when granted_by is None)."""
    if role not in roles.ROLES:
        raise ValidationFailed(_("Unknown role “%(role)s”.") % {"role": role}, code="unknown_role")
    if granted_by is not None and not roles.has_role_permission(granted_by, "promote_reporter"):
        raise PermissionDenied(_("Only staff can change roles."))
    user.groups.add(Group.objects.get(name=role))
    if role == roles.STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """Issue a new API token, replacing any previous one. Returns the key: it is shown once."""
    key = secrets.token_urlsafe(32)
    # Two requests at once (a double click) would both find no token and both insert one: the
    # second insert breaks the one-token-per-user constraint. Locking the user's row queues them.
    User.objects.select_for_update().filter(pk=user.pk).first()
    ApiToken.objects.filter(user=user).delete()
    ApiToken.objects.create(user=user, key_hash=hash_api_key(key), prefix=key[:TOKEN_PREFIX_LENGTH])
    return key


@transaction.atomic
def api_token_revoke(*, user: User) -> None:
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    if not deleted:
        raise NotFound(_("You have no API token to revoke."), code="no_token")


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most every few minutes so authentication stays a read."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    city: str,
    avatar: UploadedFile | None = None,
) -> User:
    # Checked and re-encoded before anything changes (fieldcast.accounts.avatars).
    cleaned = avatars.avatar_clean(avatar) if avatar is not None else None
    # From the row: a profile form may already have put the new upload on this instance.
    old_avatar = User.objects.filter(pk=user.pk).values_list("avatar", flat=True).first() or ""
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    user.city = city.strip()
    fields = ["display_name", "bio", "city"]
    if cleaned is not None:
        user.avatar = cleaned  # type: ignore[assignment]
        fields.append("avatar")
    user.full_clean(exclude=["password", "avatar"])
    try:
        user.save(update_fields=fields)
    except Exception:
        if cleaned is not None and user.avatar:
            user.avatar.storage.delete(user.avatar.name)
        raise
    new_avatar = user.avatar.name if user.avatar else ""
    if old_avatar and old_avatar != new_avatar:
        storage = user.avatar.storage
        # Only once the new name is committed: a rollback keeps the old picture in place.
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return user
