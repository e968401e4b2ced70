"""Reads of a person's notifications and their in-app preferences."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from community.models import (
    Notification,
    NotificationKind,
    NotificationMute,
)
from fieldcast.accounts.models import User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's notifications shown in the app (kinds they keep for email only are left out)."""
    return Notification.objects.filter(recipient=user, in_app=True).select_related(
        "actor", "video", "story", "assignment"
    )


def notification_preferences(*, user: User) -> dict[str, bool]:
    """Kind -> on in the app (the email column is `community.notifications.notify.preferences`)."""
    muted = set(
        NotificationMute.objects.filter(user=user, channel="app").values_list("kind", flat=True)
    )
    return {kind: kind not in muted for kind in NotificationKind.values}
