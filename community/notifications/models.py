"""Notifications, the kinds a person muted, and their email digest settings and runs."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    VIDEO_COMMENTED = "video_commented", _("Someone commented on your video")
    VIDEO_LIKED = "video_liked", _("Someone liked your video")
    FOLLOWED_PUBLISHED = "followed_published", _("Someone you follow published a video")
    MENTION = "mention", _("Someone mentioned you in a comment")
    STORY_UPDATED = "story_updated", _("A story you follow has something new")
    ASSIGNMENT_NEAR = "assignment_near", _("An assignment near you")
    FOLLOWED_ON_AIR = "followed_on_air", _("Someone you follow is on air")
    VIDEO_APPROVED = "video_approved", _("Your video was approved")
    VIDEO_REJECTED = "video_rejected", _("Your video was not published")
    VIDEO_CHANGES = "video_changes", _("An editor asks for changes to your video")
    VIDEO_HIDDEN = "video_hidden", _("Your video was hidden after viewer reports")
    VIDEO_RESTORED = "video_restored", _("Your video is public again after a check")
    VIDEO_REMOVED = "video_removed", _("Your video was removed")
    APPEAL_DECIDED = "appeal_decided", _("The outcome of your appeal")
    REPORT_OUTCOME = "report_outcome", _("The outcome of your report")
    ACCOUNT_WARNED = "account_warned", _("Editors upheld reports about your account")
    COMMENT_REMOVED = "comment_removed", _("An editor removed your comment")
    TIER_CHANGED = "tier_changed", _("You reached a new level")
    EVENT_PROMOTED = "event_promoted", _("You got a place at an event from the waiting list")
    EVENT_REMINDER = "event_reminder", _("An event you signed up for starts soon")


# The kinds that tell a person what moderation decided (the reporter's decisions page lists them).
MODERATION_KINDS: frozenset[str] = frozenset(
    {
        NotificationKind.VIDEO_APPROVED,
        NotificationKind.VIDEO_REJECTED,
        NotificationKind.VIDEO_CHANGES,
        NotificationKind.VIDEO_HIDDEN,
        NotificationKind.VIDEO_RESTORED,
        NotificationKind.VIDEO_REMOVED,
        NotificationKind.APPEAL_DECIDED,
        NotificationKind.REPORT_OUTCOME,
        NotificationKind.ACCOUNT_WARNED,
        NotificationKind.COMMENT_REMOVED,
    }
)


class NotificationChannel(models.TextChoices):
    APP = "app", _("In the app")
    EMAIL = "email", _("In the email digest")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "community.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    story = models.ForeignKey(
        "community.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        "community.Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "community.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the sentence needs beyond the links (a reason, a tier, a case id), fixed when it is sent
    # so the text can be rendered later in the reader's language.
    data = models.JSONField(default=dict, blank=True)
    # False when the person turned this kind off in the app but wants it in their email digest.
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationMute(models.Model):
    """A kind a person turned off in one channel (every kind is on in both until they do)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    channel = models.CharField(
        max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.APP
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="community_one_mute_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind} ({self.channel})"


class DigestFrequency(models.TextChoices):
    OFF = "off", _("No email")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class NotificationSettings(models.Model):
    """A person's email digest choice (opt-in: off until they choose) and its language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF, db_index=True
    )
    language = models.CharField(max_length=10, blank=True)  # empty: the site's default language
    # Notifications created up to this moment were offered to a digest already.
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class DigestRun(models.Model):
    """One digest of one person for one period ("daily:2026-11-26", "weekly:2026-W48").

    The unique (user, period) row is taken before the email goes out: a retried or duplicated
    task finds it and sends nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=24)
    cutoff = models.DateTimeField()
    notification_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["user", "period"], name="community_one_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.period} for {self.user_id}"
