"""View marks: who was counted for which video in which time window."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class ViewMark(models.Model):
    """One viewer (user id or session key) counted for one video in one time window."""

    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    viewer = models.CharField(max_length=64)
    window = models.BigIntegerField()  # epoch seconds // window length
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["video", "viewer", "window"], name="community_one_view_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer} viewed {self.video_id}"
