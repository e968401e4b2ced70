"""Videos and the resumable uploads that bring them in."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VideoState(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    UPLOADED = "uploaded", _("Uploaded")
    PROCESSING = "processing", _("Processing")
    PENDING_REVIEW = "pending_review", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    HIDDEN = "hidden", _("Hidden")
    REMOVED = "removed", _("Removed")


# The only moves a video can make (DESIGN.md §3); services check every transition against this.
VIDEO_TRANSITIONS: dict[str, set[str]] = {
    VideoState.UPLOADING: {VideoState.UPLOADED, VideoState.FAILED},
    VideoState.UPLOADED: {VideoState.PROCESSING, VideoState.FAILED},
    VideoState.PROCESSING: {VideoState.PENDING_REVIEW, VideoState.FAILED, VideoState.PROCESSING},
    VideoState.PENDING_REVIEW: {VideoState.PUBLISHED, VideoState.REJECTED},
    VideoState.PUBLISHED: {VideoState.HIDDEN, VideoState.REMOVED},
    VideoState.HIDDEN: {VideoState.PUBLISHED, VideoState.REMOVED},
    VideoState.REJECTED: set(),
    VideoState.FAILED: set(),
    VideoState.REMOVED: set(),
}


class Video(models.Model):
    """A clip from a reporter, from upload through transcode and review to the public."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="videos"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    # The assignment this clip answers; a plain reference until the community app owns assignments.
    assignment_ref = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=20, choices=VideoState.choices, default=VideoState.UPLOADING, db_index=True
    )
    state_reason = models.TextField(blank=True)  # why it failed / was rejected, for the reporter

    # The original file, as uploaded (private; never served to viewers).
    source_name = models.CharField(max_length=255, blank=True)
    source_key = models.CharField(max_length=500, blank=True)
    source_size = models.BigIntegerField(default=0)

    # What the probe found; capture metadata (device, GPS, ...) is for editors only.
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    frame_rate = models.FloatField(null=True, blank=True)
    capture_metadata = models.JSONField(default=dict, blank=True)

    # The published outputs of the current version (all keys in storage, none public).
    version = models.PositiveIntegerField(default=0)
    output_prefix = models.CharField(max_length=500, blank=True)
    renditions = models.JSONField(default=list, blank=True)
    poster_key = models.CharField(max_length=500, blank=True)
    thumbnails_key = models.CharField(max_length=500, blank=True)
    download_key = models.CharField(max_length=500, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)

    # Who published it and what they checked (the moderation issue will grow this).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_videos",
    )
    verification_note = models.TextField(blank=True)

    view_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "-published_at"])]

    def __str__(self) -> str:
        return self.title
