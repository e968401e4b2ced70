"""Writes on a person's notifications: marking them read, muting kinds per channel."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationMute,
)
from community.notifications import notify
from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.errors import (
    ValidationFailed,
)


@transaction.atomic
def notifications_mark_read(*, user: User | AnonymousUser, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; the bell updates live."""
    person = require_user(user)
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    transaction.on_commit(lambda: notify.push_unread(user_id=person.pk))
    return changed


@transaction.atomic
def notification_preferences_set(
    *,
    user: User | AnonymousUser,
    enabled: dict[str, bool],
    channel: str = NotificationChannel.APP,
) -> set[str]:
    """Turn kinds on or off in one channel (the app, or the email digest); returns the kinds
    now off in that channel."""
    person = require_user(user)
    unknown = set(enabled) - set(NotificationKind.values)
    if unknown:
        message = _("Unknown notification kind.")
        raise ValidationFailed(message, fields={"kind": [message]})
    if channel not in NotificationChannel.values:
        message = _("Unknown notification channel.")
        raise ValidationFailed(message, fields={"channel": [message]})
    for kind, on in enabled.items():
        if on:
            NotificationMute.objects.filter(user=person, kind=kind, channel=channel).delete()
        else:
            NotificationMute.objects.get_or_create(user=person, kind=kind, channel=channel)
    return set(
        NotificationMute.objects.filter(user=person, channel=channel).values_list("kind", flat=True)
    )
