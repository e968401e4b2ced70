"""Live chat: one chat per program channel, identified by its slug."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChatSettings(models.Model):
    """One chat the newsroom opened (for a program or an event) and how it runs: a name without
    a row has no chat (community.chat.selectors.chat_channel)."""

    channel = models.SlugField(pgettext_lazy("chat", "channel"), max_length=50, unique=True)
    # Seconds a person waits between two messages in this channel (0: off). Editors are exempt.
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "chat settings"

    def __str__(self) -> str:
        return f"chat {self.channel}: slow mode {self.slow_mode_seconds}s"


class ChatMessageState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    REMOVED = "removed", _("Removed by an editor")


class ChatMessage(models.Model):
    """One chat line, stored before it is sent to anyone (so a reconnecting client can catch up).

    The author's tier and guest-expert badge are kept as they were when the line was written, so
    history needs no join and an old line keeps the badge it was shown with.
    """

    channel = models.SlugField(max_length=50)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    author_name = models.CharField(max_length=60)
    author_tier = models.CharField(max_length=16)
    guest_expert = models.BooleanField(default=False)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=ChatMessageState.choices, default=ChatMessageState.VISIBLE
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["channel", "id"], name="community_chat_channel_id"),
            models.Index(fields=["author", "created_at"], name="community_chat_author_at"),
        ]

    def __str__(self) -> str:
        return f"chat {self.channel} #{self.pk}"


class ChatMute(models.Model):
    """A person may not write in one channel's chat until `until` (one row per person and channel);
    a mute with a blank channel holds in every chat."""

    channel = models.SlugField(max_length=50, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["channel", "user"], name="community_one_chat_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} muted in chat {self.channel} until {self.until}"
