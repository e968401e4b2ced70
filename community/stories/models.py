"""Stories: the timeline of one event's coverage, and who follows it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Story(models.Model):
    """Continuous coverage of one event: a timeline of published videos and editors' updates."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-updated_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


class StoryItemKind(models.TextChoices):
    VIDEO = "video", _("Video")
    UPDATE = "update", _("Update")


class StoryItem(models.Model):
    """One entry of a story's timeline, placed at `happened_at`."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=StoryItemKind.choices)
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)
    happened_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["happened_at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["story", "happened_at"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["story", "video"],
                condition=models.Q(video__isnull=False),
                name="community_video_once_per_story",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in story {self.story_id}"


class StoryFollow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "story"], name="community_one_story_follow")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows story {self.story_id}"
