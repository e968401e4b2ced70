"""Likes of videos and of comments (one per person and thing)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class VideoLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "video"], name="community_one_video_like")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes video {self.video_id}"


class CommentLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("community.Comment", on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "comment"], name="community_one_comment_like")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"
