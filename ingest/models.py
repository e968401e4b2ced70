"""Live ingest: the stream keys reporters publish with, and the live sources they bring in."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fieldcast.core.models import AppendOnlyModel


class StreamKey(models.Model):
    """A reporter's secret for publishing; only its SHA-256 is stored, the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stream_keys"
    )
    name = models.CharField(_("name"), max_length=80)
    # The assignment this key's streams cover; a plain reference until community owns assignments.
    assignment_ref = models.CharField(_("assignment"), max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The go-live page's own key: re-issued each time the page opens, its secret kept in the page.
    for_browser = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stream key")
        verbose_name_plural = _("stream keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Protocol(models.TextChoices):
    WHIP = "whip", "WHIP"
    RTMP = "rtmp", "RTMP"
    SRT = "srt", "SRT"


class SourceState(models.TextChoices):
    CONNECTING = "connecting", _("Connecting")
    LIVE = "live", _("Live")
    APPROVED = "approved", _("Approved")
    ON_AIR = "on_air", _("On air")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected")
    KILLED = "killed", _("Stopped by an editor")


FINISHED_STATES = frozenset({SourceState.ENDED, SourceState.REJECTED, SourceState.KILLED})

# The only moves a live source can make (docs/architecture.md), whatever protocol brought it in.
SOURCE_TRANSITIONS: dict[str, frozenset[str]] = {
    SourceState.CONNECTING: frozenset(
        {SourceState.LIVE, SourceState.ENDED, SourceState.REJECTED, SourceState.KILLED}
    ),
    SourceState.LIVE: frozenset(
        {SourceState.APPROVED, SourceState.ENDED, SourceState.REJECTED, SourceState.KILLED}
    ),
    SourceState.APPROVED: frozenset(
        {
            SourceState.ON_AIR,
            SourceState.LIVE,
            SourceState.ENDED,
            SourceState.REJECTED,
            SourceState.KILLED,
        }
    ),
    SourceState.ON_AIR: frozenset(
        {
            SourceState.LIVE,
            SourceState.APPROVED,
            SourceState.ENDED,
            SourceState.REJECTED,
            SourceState.KILLED,
        }
    ),
    SourceState.ENDED: frozenset(),
    SourceState.REJECTED: frozenset(),
    SourceState.KILLED: frozenset(),
}


class LiveSource(models.Model):
    """One live contribution, from its first publish to its end, across reconnects."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stream_key = models.ForeignKey(
        StreamKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="live_sources"
    )
    title = models.CharField(_("title"), max_length=200)
    assignment_ref = models.CharField(max_length=64, blank=True)
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    state = models.CharField(
        max_length=16, choices=SourceState.choices, default=SourceState.CONNECTING, db_index=True
    )
    state_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The current publishing session (WHIP resource id); a reconnect replaces it.
    session_id = models.CharField(max_length=64, blank=True, db_index=True)
    connection_count = models.PositiveIntegerField(default=0)
    connected = models.BooleanField(default=False)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    live_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    # Refreshed by the ingest running the source every few seconds; a stale one lost its ingest.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    recording_path = models.CharField(max_length=500, blank=True)
    video = models.OneToOneField(
        "videos.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_source",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("live source")
        verbose_name_plural = _("live sources")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


# --- Studio: programs (channels) and their switcher log -----------------------------------------


class ProgramMode(models.TextChoices):
    SOURCE = "source", _("Live source")
    SLATE = "slate", _("Slate")
    VIDEO = "video", _("Video clip")


class Program(models.Model):
    """One channel's on-air output: what the switcher shows now, and who holds the switcher."""

    slug = models.SlugField(_("channel"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    width = models.PositiveIntegerField(default=1280)
    height = models.PositiveIntegerField(default=720)
    fps = models.PositiveIntegerField(default=25)
    running = models.BooleanField(default=False)
    mode = models.CharField(max_length=8, choices=ProgramMode.choices, default=ProgramMode.SLATE)
    program_source = models.ForeignKey(
        LiveSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    preview_source = models.ForeignKey(
        LiveSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Shown by an automatic cut-away instead of the slate when it is set and approved.
    standby_source = models.ForeignKey(
        LiveSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slate_image = models.FileField(_("slate image"), upload_to="slates/", blank=True, null=True)
    lower_third_visible = models.BooleanField(default=False)
    cutaway_after_seconds = models.FloatField(default=1.0)
    cutaway_min_kbps = models.PositiveIntegerField(default=0)  # 0 = no bitrate threshold
    auto_cutaway_active = models.BooleanField(default=False)
    # The source an automatic cut-away left, to cut back to when it recovers.
    cutaway_from = models.ForeignKey(
        LiveSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    switcher_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seq = models.PositiveBigIntegerField(default=0)
    # Which ingest process's engine runs this program, and when it last renewed that lease: one
    # engine per program, even with several ingest processes (docs/program-engine.md).
    engine_node = models.CharField(max_length=100, blank=True, default="")
    engine_seen_at = models.DateTimeField(null=True, blank=True)
    recording_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name or self.slug


class ProgramAction(models.TextChoices):
    START = "start", _("Program started")
    STOP = "stop", _("Program stopped")
    CUT = "cut", _("Cut")
    FADE = "fade", _("Fade")
    SLATE = "slate", _("Slate")
    VIDEO = "video", _("Video clip")
    KILL = "kill", _("Killed")
    PREVIEW = "preview", _("Preview")
    AUTO_CUTAWAY = "auto_cutaway", _("Automatic cut-away")
    AUTO_CUTBACK = "auto_cutback", _("Automatic cut back")
    TAKE = "take", _("Took the switcher")
    HAND_OVER = "hand_over", _("Handed over the switcher")
    LOWER_THIRD = "lower_third", _("Lower third")
    STANDBY = "standby", _("Standby source")
    SETTINGS = "settings", _("Settings")


class ProgramLogEntry(AppendOnlyModel):
    """What went to air when, and who (or nobody: automatic) did it. Never changed afterwards."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="log_entries")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=16, choices=ProgramAction.choices)
    source = models.ForeignKey(
        LiveSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("program log entry")
        verbose_name_plural = _("program log entries")

    def __str__(self) -> str:
        return f"{self.program_id} {self.action} {self.created_at:%H:%M:%S}"
