"""People following reporters."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class Follow(models.Model):
    """A person following a reporter."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["follower", "reporter"], name="community_one_follow"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("reporter")), name="community_no_self_follow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.reporter_id}"
