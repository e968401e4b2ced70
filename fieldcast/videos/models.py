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


# The only moves a video can make (docs/architecture.md, "Content states"); services check every transition against this.
VIDEO_TRANSITIONS: dict[str, set[str]] = {
    VideoState.UPLOADING: {VideoState.UPLOADED, VideoState.FAILED},
    VideoState.UPLOADED: {VideoState.PROCESSING, VideoState.FAILED},
    VideoState.PROCESSING: {VideoState.PENDING_REVIEW, VideoState.FAILED, VideoState.PROCESSING},
    VideoState.PENDING_REVIEW: {VideoState.PUBLISHED, VideoState.REJECTED},
    VideoState.PUBLISHED: {VideoState.HIDDEN, VideoState.REMOVED},
    VideoState.HIDDEN: {VideoState.PUBLISHED, VideoState.REMOVED},
    # rejected/removed -> published only when a second editor grants the uploader's appeal.
    VideoState.REJECTED: {VideoState.PUBLISHED},
    VideoState.FAILED: set(),
    VideoState.REMOVED: {VideoState.PUBLISHED},
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


class UploadState(models.TextChoices):
    ACTIVE = "active", _("Uploading")
    COMPLETE = "complete", _("Complete")
    TERMINATED = "terminated", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Upload(models.Model):
    """One tus upload (the protocol's "upload resource"), bringing in the source of one video.

    `offset` is only ever moved after the bytes up to it are durable (fsynced file, or S3 parts
    plus a tail object), so a killed web process resumes exactly there.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    video = models.OneToOneField(
        Video, on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )
    state = models.CharField(
        max_length=12, choices=UploadState.choices, default=UploadState.ACTIVE, db_index=True
    )
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    # Where the bytes go: the final key in default storage; local storage writes `<key>.part`
    # beside it first, S3 a multipart upload of `part_size` parts plus a tail object holding the
    # bytes after the last full part.
    source_key = models.CharField(max_length=500)
    backend = models.CharField(max_length=8, default="local")
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    s3_parts = models.JSONField(default=list, blank=True)
    part_size = models.BigIntegerField(default=0)
    tail_key = models.CharField(max_length=500, blank=True)
    # A lease: one writer (PATCH) at a time, across processes; a holder silent for
    # UPLOAD_LEASE_SECONDS loses it (a killed process, a dropped connection).
    writer_token = models.CharField(max_length=32, blank=True)
    writer_seen_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or self.id} ({self.offset}/{self.length})"
