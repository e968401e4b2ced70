"""Every read of the live chat: the last messages on join, what a reconnecting client missed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import ChatMessage, ChatMessageState, ChatMute, ChatSettings
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound
from fieldcast.points.models import Tier

HISTORY_SIZE: int = getattr(settings, "CHAT_HISTORY_SIZE", 50)
# A client that was away longer than this many messages gets the newest ones (and a gap marker).
CATCH_UP_MAX: int = getattr(settings, "CHAT_CATCH_UP_MAX", 500)
_SLUG = re.compile(r"^[-a-z0-9_]{1,50}$")


def clean_channel(channel: str) -> str:
    """The channel's slug, or NotFound for anything that cannot be one."""
    slug = (channel or "").strip().lower()
    if not _SLUG.match(slug):
        raise NotFound(_("There is no chat with that name."), code=ErrorCode.NO_CHAT)
    return slug


def channel_group(slug: str) -> str:
    """The channel-layer group every socket of one channel's chat joins."""
    return f"chat.{slug}"


def message_data(message: ChatMessage) -> dict[str, Any]:
    """A message as clients receive it, over the websocket and from the API (text, never HTML)."""
    return {
        "id": message.pk,
        "channel": message.channel,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "author": {
            "id": message.author_id,
            "name": message.author_name,
            "tier": message.author_tier,
            "guest_expert": message.guest_expert,
        },
    }


def tier_labels() -> dict[str, str]:
    """Badge texts in the reader's language, keyed by the tier codes messages carry."""
    return {str(code): str(label) for code, label in Tier.choices}


def slow_mode_seconds(*, channel: str) -> int:
    value = (
        ChatSettings.objects.filter(channel=channel)
        .values_list("slow_mode_seconds", flat=True)
        .first()
    )
    return int(value or 0)


@dataclass(frozen=True)
class ChatBatch:
    """Messages for a client, oldest first, and which of the recent ones editors removed."""

    messages: list[dict[str, Any]]
    removed: list[int]
    # True when the client missed more than CATCH_UP_MAX messages: older ones were left out.
    gap: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"messages": self.messages, "removed": self.removed, "gap": self.gap}


def chat_history(
    *, channel: str, after_id: int | None = None, limit: int | None = None
) -> ChatBatch:
    """The last `limit` visible messages (on join), or every one after `after_id` (catch-up).

    A fixed number of queries whatever the number of messages. `removed` lists removed messages in the same
    stretch, so a client that showed one before it went away can take it out.
    """
    slug = chat_channel(channel=channel)
    base = ChatMessage.objects.filter(channel=slug)
    if after_id is None:
        size = min(limit or HISTORY_SIZE, CATCH_UP_MAX)
        rows = list(base.order_by("-id")[:size])[::-1]
        gap = False
    else:
        rows = list(base.filter(id__gt=after_id).order_by("id")[: CATCH_UP_MAX + 1])
        gap = len(rows) > CATCH_UP_MAX
        if gap:
            rows = list(base.filter(id__gt=after_id).order_by("-id")[:CATCH_UP_MAX])[::-1]
    visible = [message_data(row) for row in rows if row.state == ChatMessageState.VISIBLE]
    removed = [row.pk for row in rows if row.state == ChatMessageState.REMOVED]
    if after_id is not None:
        # A message removed while the client was away can be older than what it missed.
        floor = max(0, after_id - CATCH_UP_MAX)
        removed = sorted(
            set(removed)
            | set(
                base.filter(
                    id__gt=floor, id__lte=after_id, state=ChatMessageState.REMOVED
                ).values_list("id", flat=True)
            )
        )
    return ChatBatch(messages=visible, removed=removed, gap=gap)


def chat_muted_until(*, channel: str, user: User) -> datetime | None:
    """When this person's mute in this channel (or in every chat) ends, or None."""
    return (
        ChatMute.objects.filter(channel__in=[channel, ALL_CHANNELS], user=user)
        .filter(until__gt=timezone.now())
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


# --- Which chats exist ---------------------------------------------------------------------------
# A chat exists when the newsroom opened it: each program (channel) and each event gets one
# (`chat_services.chat_channel_open`); its ChatSettings row is the chat. Nobody opens one by
# writing to a new name.

# A mute stored with this channel holds in every chat.
ALL_CHANNELS = ""


def chat_channel(*, channel: str) -> str:
    """The slug of a chat the newsroom opened; NotFound for any other name."""
    slug = clean_channel(channel)
    if not ChatSettings.objects.filter(channel=slug).exists():
        raise NotFound(_("There is no chat with that name."), code=ErrorCode.NO_CHAT)
    return slug


def event_chat_channel(event_id: int) -> str:
    """The chat of one event."""
    return f"event-{event_id}"
