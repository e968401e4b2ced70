"""Every write of the live chat: post a message, remove one, mute a person, set slow mode.

The chat's rules (slow mode, flood limit, mutes) read best together in one place.

A message is stored in the database before anyone hears of it; the event goes out through
`fieldcast.core.events.publish` after commit, so a client that reconnects (to the same or another
web process) fetches what it missed by id and nothing is announced for a rolled-back write.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from community.chat import selectors as chat_selectors
from community.models import ChatMessage, ChatMessageState, ChatMute, ChatSettings, GuestExpert
from fieldcast.accounts import roles
from fieldcast.accounts.guards import require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points.selectors import account_for
from ingest.program.domain_events import ProgramCreated
from moderation.terms import find_terms, term_lists

MESSAGE_MAX_LENGTH: int = getattr(settings, "CHAT_MESSAGE_MAX_LENGTH", 500)
# At most FLOOD_COUNT messages per person in any FLOOD_SECONDS, in all channels together.
FLOOD_COUNT: int = getattr(settings, "CHAT_FLOOD_COUNT", 5)
FLOOD_SECONDS: int = getattr(settings, "CHAT_FLOOD_SECONDS", 10)
SLOW_MODE_MAX_SECONDS: int = getattr(settings, "CHAT_SLOW_MODE_MAX_SECONDS", 3600)
MUTE_MAX_SECONDS: int = getattr(settings, "CHAT_MUTE_MAX_SECONDS", 7 * 24 * 3600)


@dataclass(frozen=True)
class PostedMessage:
    message: ChatMessage
    payload: dict[str, Any]


def _editor(user: User | AnonymousUser) -> User:
    """Chat moderation is an editor's; a visitor is asked to log in with the chat's own words."""
    person = require_user(user, message=_("Log in to write in the chat."))
    return require_permission(
        person,
        "moderate_content",
        message=_("Only editors can moderate the chat."),
        code=ErrorCode.NOT_EDITOR,
    )


def _clean_body(body: str) -> str:
    text = "".join(ch for ch in (body or "") if ch in "\n\t" or ch.isprintable()).strip()
    if not text:
        message = _("Write something first.")
        raise ValidationFailed(message, code=ErrorCode.EMPTY, fields={"body": [message]})
    if len(text) > MESSAGE_MAX_LENGTH:
        message = _(
            "A chat message can be at most %(limit)d characters; this one has %(length)d."
        ) % {"limit": MESSAGE_MAX_LENGTH, "length": len(text)}
        raise ValidationFailed(message, code=ErrorCode.TOO_LONG, fields={"body": [message]})
    return text


def _seconds_text(seconds: int) -> str:
    if seconds >= 120:
        minutes = (seconds + 59) // 60
        return npgettext("chat wait", "%(count)d minute", "%(count)d minutes", minutes) % {
            "count": minutes
        }
    return npgettext("chat wait", "%(count)d second", "%(count)d seconds", seconds) % {
        "count": seconds
    }


def _is_guest_expert(user: User) -> bool:
    """Staff gave this person the guest-expert badge (community.events.services)."""
    return GuestExpert.objects.filter(user=user).exists()


def _check_mute(author: User, channel: str) -> None:
    mute = (
        ChatMute.objects.filter(
            channel__in=[channel, chat_selectors.ALL_CHANNELS],
            user=author,
            until__gt=timezone.now(),
        )
        .order_by("-until")
        .first()
    )
    if mute is None:
        return
    left = max(1, math.ceil((mute.until - timezone.now()).total_seconds()))
    if mute.channel == chat_selectors.ALL_CHANNELS:
        text = _("An editor muted you in every chat. You can write again in %(time)s.")
    else:
        text = _("An editor muted you in this chat. You can write again in %(time)s.")
    raise PermissionDenied(text % {"time": _seconds_text(left)}, code=ErrorCode.MUTED)


def _check_pace(author: User, channel: str, slow_mode_seconds: int, editor: bool) -> None:
    now = timezone.now()
    if slow_mode_seconds and not editor:
        last = (
            ChatMessage.objects.filter(channel=channel, author=author)
            .order_by("-id")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            wait = slow_mode_seconds - (now - last).total_seconds()
            if wait > 0:
                raise RateLimited(
                    _("Slow mode is on: you can write again in %(time)s.")
                    % {"time": _seconds_text(max(1, math.ceil(wait)))},
                    code=ErrorCode.SLOW_MODE,
                )
    recent = ChatMessage.objects.filter(
        author=author, created_at__gte=now - timedelta(seconds=FLOOD_SECONDS)
    ).count()
    if recent >= FLOOD_COUNT:
        raise RateLimited(
            _("You are writing too fast. Please wait a few seconds and try again."),
            code=ErrorCode.FLOOD,
        )


def chat_message_post(*, user: User | AnonymousUser, channel: str, body: str) -> PostedMessage:
    """Write a message in a channel's chat and send it to everyone in it.

    Refused (nothing stored, nothing sent) for an anonymous person, a bad channel name, an empty or
    too long text, a muted author, slow mode, too many messages in a short time, or a text that
    matches the moderation term lists (the sender alone is told why).
    """
    author = require_user(user, message=_("Log in to write in the chat."))
    slug = chat_selectors.chat_channel(channel=channel)
    text = _clean_body(body)
    if find_terms(fields={"body": text}, lists=term_lists()):
        raise ValidationFailed(
            _(
                "Your message was not sent: it contains words that are not allowed in the chat. "
                "Only you see this note."
            ),
            code=ErrorCode.FILTERED,
        )
    editor = roles.has_role_permission(author, "moderate_content")
    tier = account_for(user=author).tier
    guest_expert = _is_guest_expert(author)
    with transaction.atomic():
        # One person's messages are written one at a time (in any web process), so slow mode and
        # the flood limit cannot be raced by sending from two tabs at once.
        User.objects.select_for_update().filter(pk=author.pk).values_list("pk", flat=True).get()
        _check_mute(author, slug)
        _check_pace(author, slug, chat_selectors.slow_mode_seconds(channel=slug), editor)
        message = ChatMessage.objects.create(
            channel=slug,
            author=author,
            author_name=author.public_name[:60],
            author_tier=str(tier),
            guest_expert=guest_expert,
            body=text,
        )
        payload = chat_selectors.message_data(message)
        event = {"type": "chat.message", "channel": slug, "message": payload}
        transaction.on_commit(
            lambda: events.publish(group=chat_selectors.channel_group(slug), event=event)
        )
    return PostedMessage(message=message, payload=payload)


def chat_message_remove(
    *, user: User | AnonymousUser, channel: str, message_id: int
) -> ChatMessage:
    """An editor takes a message out of the chat: it disappears for everyone, now and in history."""
    editor = _editor(user)
    slug = chat_selectors.chat_channel(channel=channel)
    with transaction.atomic():
        message = (
            ChatMessage.objects.select_for_update().filter(pk=message_id, channel=slug).first()
        )
        if message is None:
            raise NotFound(_("That chat message is no longer there."))
        if message.state == ChatMessageState.REMOVED:
            return message
        message.state = ChatMessageState.REMOVED
        message.removed_by = editor
        message.removed_at = timezone.now()
        message.save(update_fields=["state", "removed_by", "removed_at"])
        event = {"type": "chat.removed", "channel": message.channel, "id": message.pk}
        group = chat_selectors.channel_group(message.channel)
        transaction.on_commit(lambda: events.publish(group=group, event=event))
    return message


def chat_user_mute(
    *,
    user: User | AnonymousUser,
    channel: str,
    target_id: int,
    seconds: int,
    reason: str = "",
    everywhere: bool = False,
) -> ChatMute:
    """An editor stops a person writing in one channel's chat, or with `everywhere` in every chat,
    for `seconds` (a new mute replaces the old one of the same reach, so a shorter one also
    shortens it)."""
    editor = _editor(user)
    slug = chat_selectors.chat_channel(channel=channel)
    if not 1 <= seconds <= MUTE_MAX_SECONDS:
        message = _("A mute lasts from 1 second to %(time)s.") % {
            "time": _seconds_text(MUTE_MAX_SECONDS)
        }
        raise ValidationFailed(
            message, code=ErrorCode.INVALID_DURATION, fields={"seconds": [message]}
        )
    reason = (reason or "").strip()
    if len(reason) > 200:
        message = _("The reason can be at most 200 characters.")
        raise ValidationFailed(message, code=ErrorCode.TOO_LONG, fields={"reason": [message]})
    with transaction.atomic():
        target = User.objects.filter(pk=target_id, is_active=True).first()
        if target is None:
            raise NotFound(_("We could not find that person."))
        if target.pk == editor.pk:
            raise ValidationFailed(_("You cannot mute yourself."), code=ErrorCode.SELF_MUTE)
        if roles.has_role_permission(target, "moderate_content"):
            raise PermissionDenied(
                _("Editors cannot be muted in the chat."), code=ErrorCode.MUTE_EDITOR
            )
        until = timezone.now() + timedelta(seconds=seconds)
        mute, _created = ChatMute.objects.select_for_update().update_or_create(
            channel=chat_selectors.ALL_CHANNELS if everywhere else slug,
            user=target,
            defaults={"until": until, "reason": reason, "muted_by": editor},
        )
        event = {
            "type": "chat.muted",
            "channel": slug,
            "user_id": target.pk,
            "until": until.isoformat(),
            "everywhere": everywhere,
        }
        group = chat_selectors.channel_group(slug)
        transaction.on_commit(lambda: events.publish(group=group, event=event))
    return mute


def chat_slow_mode_set(*, user: User | AnonymousUser, channel: str, seconds: int) -> ChatSettings:
    """An editor sets how long each person waits between two messages (0 turns slow mode off)."""
    editor = _editor(user)
    slug = chat_selectors.chat_channel(channel=channel)
    if not 0 <= seconds <= SLOW_MODE_MAX_SECONDS:
        message = _("Slow mode can be from 0 (off) to %(limit)d seconds.") % {
            "limit": SLOW_MODE_MAX_SECONDS
        }
        raise ValidationFailed(
            message, code=ErrorCode.INVALID_DURATION, fields={"seconds": [message]}
        )
    with transaction.atomic():
        row = ChatSettings.objects.select_for_update().get(channel=slug)
        row.slow_mode_seconds = seconds
        row.updated_by = editor
        row.save(update_fields=["slow_mode_seconds", "updated_by", "updated_at"])
        event = {"type": "chat.settings", "channel": slug, "slow_mode_seconds": seconds}
        group = chat_selectors.channel_group(slug)
        transaction.on_commit(lambda: events.publish(group=group, event=event))
    return row


# --- Opening chats (community/chat_selectors.py: which chats exist) -----------------------------


def chat_channel_open(*, channel: str) -> ChatSettings:
    """Open a chat for one of the newsroom's programs or events (idempotent)."""
    slug = chat_selectors.clean_channel(channel)
    with transaction.atomic():
        row, _created = ChatSettings.objects.get_or_create(channel=slug)
    return row


def chat_channel_open_for_program(event: ProgramCreated) -> None:
    """Subscribed to ingest's ProgramCreated (community.apps): every program has its chat."""
    chat_channel_open(channel=event.slug)
