"""Comments on videos and stories, each video's comment settings and the comment log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fieldcast.core.models import AppendOnlyModel


class CommentMode(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVAL = "approval", _("Approval required")
    CLOSED = "closed", _("Closed")


class CommentSettings(models.Model):
    """How one video takes comments; a video without a row is open."""

    video = models.OneToOneField(
        "videos.Video", on_delete=models.CASCADE, related_name="comment_settings"
    )
    mode = models.CharField(max_length=10, choices=CommentMode.choices, default=CommentMode.OPEN)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.video_id}: {self.mode}"


class CommentState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for review")
    DELETED = "deleted", _("Deleted by its author")
    REMOVED = "removed", _("Removed by an editor")


class Comment(models.Model):
    """One comment on a video or on a story (exactly one of the two); `parent` makes replies,
    `root` and `depth` make threads cheap."""

    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    story = models.ForeignKey(
        "community.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The top-level comment of the thread (itself for a top-level one, set after insert).
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    # Materialised path of zero-padded ids ("0000000012/0000000034/"): a subtree is a prefix.
    path = models.CharField(max_length=255, blank=True, db_index=True)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=CommentState.choices, default=CommentState.VISIBLE, db_index=True
    )
    held_terms = models.JSONField(default=list, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["video", "depth", "-created_at"]),
            models.Index(fields=["root", "created_at"]),
            models.Index(fields=["author", "-created_at"]),
            models.Index(fields=["story", "depth", "-created_at"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    models.Q(video__isnull=False, story__isnull=True)
                    | models.Q(video__isnull=True, story__isnull=False)
                ),
                name="community_comment_on_video_or_story",
            )
        ]

    def __str__(self) -> str:
        if self.story_id is not None:
            return f"Comment {self.pk} on story {self.story_id}"
        return f"Comment {self.pk} on video {self.video_id}"

    @property
    def target_title(self) -> str:
        """The title of what the comment is on (a video or a story)."""
        target = self.video if self.video_id is not None else self.story
        return target.title if target is not None else ""

    @property
    def target_url(self) -> str:
        """The page the comment is shown on."""
        if self.story_id is not None:
            return reverse("community:story", args=[self.story_id]) + f"#comment-{self.pk}"
        return reverse("video-watch", args=[self.video_id]) + f"#comment-{self.pk}"


class CommentAction(AppendOnlyModel):
    """Who removed, approved or deleted a comment, why, and the text it had then."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10)  # remove / approve / delete / edit
    reason = models.TextField(blank=True)
    body_before = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.action} of comment {self.comment_id}"
