"""Writes about people: roles, API tokens, profiles, password changes, the security log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from fieldcast.accounts import avatars, roles
from fieldcast.accounts.events import PasswordReplaced
from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import ApiToken, SecurityEvent, SecurityEventKind, User
from fieldcast.core import domain_events
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound, ValidationFailed

TOKEN_PREFIX_LENGTH = 8
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def pseudonym(user_id: int) -> str:
    """A stable id for the security log that does not name the person (it outlives deletion)."""
    return salted_hmac("fieldcast.accounts.pseudonym", str(user_id)).hexdigest()[:20]


def security_event_record(
    *,
    kind: str,
    user: User | None,
    ip_address: str | None = None,
    detail: dict[str, object] | None = None,
) -> SecurityEvent:
    """Append one entry to the accounts' audit trail."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        subject=pseudonym(user.pk) if user is not None else "",
        ip_address=ip_address or None,
        detail=detail or {},
    )


@transaction.atomic
def password_replaced(*, user: User, reset: bool, ip_address: str | None = None) -> int:
    """After a password change (`reset=False`) or a reset through the emailed link (`reset=True`).

    The API token stops working in both cases: a program that held it must be given a new one.
    Browser go-live keys are revoked by ingest, which hears `PasswordReplaced` after commit; after
    a reset (suspected compromise) ingest also ends the live sessions that used them. Stream
    keys are the person's choice to rotate (the page they land on offers it). Returns the number
    of API tokens revoked.
    """
    revoked, _rows = ApiToken.objects.filter(user=user).delete()
    if reset:
        # Whoever followed the emailed link controls the address: their locked-out devices may
        # try again at once.
        AccessAttempt.objects.filter(username=user.email).delete()
    security_event_record(
        kind=SecurityEventKind.PASSWORD_RESET if reset else SecurityEventKind.PASSWORD_CHANGED,
        user=user,
        ip_address=ip_address,
        detail={"api_tokens_revoked": revoked},
    )
    domain_events.publish_on_commit(PasswordReplaced(user_id=user.pk, suspected_compromise=reset))
    return revoked


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
        raise ValidationFailed(
            _("Unknown role “%(role)s”.") % {"role": role}, code=ErrorCode.UNKNOWN_ROLE
        )
    if granted_by is not None:
        require_permission(
            granted_by, "promote_reporter", message=_("Only staff can change roles.")
        )
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
        raise NotFound(_("You have no API token to revoke."), code=ErrorCode.NO_TOKEN)


def api_token_expires_at(*, token: ApiToken) -> datetime:
    """A token stops working API_TOKEN_IDLE_DAYS after its last use (or its creation)."""
    return (token.last_used_at or token.created_at) + timedelta(days=settings.API_TOKEN_IDLE_DAYS)


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
    user.full_clean(exclude=["password", "avatar"])
    if cleaned is not None:
        # Stored now under the field's upload path; the row points at it once saved below.
        user.avatar.save(cleaned.name or "avatar.jpg", cleaned, save=False)
        fields.append("avatar")
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


@transaction.atomic
def account_deletion_request(*, user: User, ip_address: str | None = None) -> User:
    """Schedule the account's deletion after the cooling-off period (it can still be cancelled).

    The API token stops at once: nothing should act for a person on their way out.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.deletion_due_at is None:
        locked.deletion_due_at = timezone.now() + timedelta(
            days=settings.ACCOUNT_DELETION_COOLING_OFF_DAYS
        )
        locked.save(update_fields=["deletion_due_at"])
        ApiToken.objects.filter(user=locked).delete()
        security_event_record(
            kind=SecurityEventKind.DELETION_REQUESTED,
            user=locked,
            ip_address=ip_address,
            detail={"due": locked.deletion_due_at.isoformat()},
        )
    user.deletion_due_at = locked.deletion_due_at
    return user


@transaction.atomic
def account_deletion_cancel(*, user: User, ip_address: str | None = None) -> bool:
    """Keep the account after all (a click on "cancel", or logging in again). True if it was due."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.deletion_due_at is None or locked.erased_at is not None:
        return False
    locked.deletion_due_at = None
    locked.save(update_fields=["deletion_due_at"])
    user.deletion_due_at = None
    security_event_record(
        kind=SecurityEventKind.DELETION_CANCELLED, user=locked, ip_address=ip_address
    )
    return True
