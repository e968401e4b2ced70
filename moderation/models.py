"""Moderation: queue cases, viewer reports, appeals, automatic checks and the audit log.

One `Case` is one thing waiting for an editor's decision (a video in review, the reports on one
video or user, an appeal, a held comment, a live source): the queue is the open cases. People hear
about outcomes through community notifications (`community.notifications.notify`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fieldcast.core.models import AppendOnlyModel


class CaseKind(models.TextChoices):
    VIDEO = "video", _("Video for review")
    REPORT = "report", _("Viewer reports")
    APPEAL = "appeal", _("Appeal")
    LIVE_SOURCE = "live_source", _("Live source")  # joins with the live ingest issue
    COMMENT = "comment", _("Held comment")  # joins with the community issue


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    CHANGES_REQUESTED = "changes_requested", _("Waiting for the reporter")
    DECIDED = "decided", _("Decided")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    DISMISS = "dismiss", _("Reports dismissed")  # report case: the content stays (or comes back)
    REMOVE = "remove", _("Removed")  # report case: the content goes
    UPHOLD = "uphold", _("Appeal refused")
    OVERTURN = "overturn", _("Appeal granted")
    CLOSED = "closed", _("Closed elsewhere")  # e.g. a live source that ended or was decided


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    DISPUTED = "disputed", _("Disputed")


class Case(models.Model):
    """One item in the moderation queue."""

    kind = models.CharField(max_length=20, choices=CaseKind.choices, db_index=True)
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="cases"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_cases",
    )
    live_source = models.ForeignKey(
        "ingest.LiveSource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_cases",
    )
    comment = models.ForeignKey(
        "community.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_cases",
    )
    # Who brought the item in (the uploader of a video, the appellant); drives the reporter filter
    # and the trusted-reporter priority.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_cases",
    )
    # Automatic-check flags ("term", "reupload", "black", "frozen", "silent", "short", ...).
    flags = models.JSONField(default=list, blank=True)
    # The same flags as " term reupload " so the queue can filter with a portable LIKE.
    flag_index = models.CharField(max_length=300, blank=True)
    # Priority rules (moderation.priority) give a boost; the queue orders by created_at - boost.
    priority_at = models.DateTimeField(db_index=True)
    priority_boost_hours = models.FloatField(default=0)

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_cases",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    # An appeal goes to a different editor than the one who made the decision appealed.
    excluded_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_cases",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    reason_text = models.TextField(blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices, blank=True)

    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            # At most one open case of a kind per video (the sync and the checks may race).
            models.UniqueConstraint(
                fields=["kind", "video"],
                condition=Q(status="open") & Q(video__isnull=False),
                name="moderation_one_open_case_per_video_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "live_source"],
                condition=Q(status="open") & Q(live_source__isnull=False),
                name="moderation_one_open_case_per_source_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "comment"],
                condition=Q(status="open") & Q(comment__isnull=False),
                name="moderation_one_open_case_per_comment_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "reported_user"],
                condition=Q(status="open") & Q(reported_user__isnull=False),
                name="moderation_one_open_case_per_user_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ReportReason(models.TextChoices):
    MISLEADING = "misleading", _("False or misleading")
    VIOLENCE = "violence", _("Graphic violence")
    HATE = "hate", _("Hate or harassment")
    PRIVACY = "privacy", _("Shows private information")
    SPAM = "spam", _("Spam")
    COPYRIGHT = "copyright", _("Not the reporter's footage")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A viewer's report on a published video, a visible comment or a user."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_reports"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports_against",
    )
    comment = models.ForeignKey(
        "community.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    text = models.TextField(blank=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} by {self.reporter_id}"


class Appeal(models.Model):
    """An uploader's one appeal against a rejection or removal."""

    video = models.OneToOneField("videos.Video", on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    note = models.TextField()
    appealed_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="appeal")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Appeal on video {self.video_id}"


class TrustedReporter(models.Model):
    """Staff (or, later, the points tiers) mark a reporter as trusted: their items come first."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_trust"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user)


class FilterTerm(models.Model):
    """One entry of a configurable term list, on top of the MODERATION_TERM_LISTS setting."""

    list_name = models.CharField(_("list"), max_length=40, default="default")
    term = models.CharField(_("term"), max_length=100)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["list_name", "term"], name="moderation_unique_term")
        ]

    def __str__(self) -> str:
        return f"{self.list_name}: {self.term}"


class CheckResult(models.Model):
    """What the automatic checks found for one version of a video (the latest run wins)."""

    video = models.OneToOneField("videos.Video", on_delete=models.CASCADE, related_name="checks")
    version = models.PositiveIntegerField(default=0)
    term_matches = models.JSONField(default=list, blank=True)  # [{"field", "term", "list"}]
    technical = models.JSONField(default=dict, blank=True)  # {"black": 3.2, "silent": 4.0, ...}
    flags = models.JSONField(default=list, blank=True)
    similar = models.JSONField(default=list, blank=True)  # [{"video_id", "score"}]
    original = models.ForeignKey(
        "videos.Video", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Checks of video {self.video_id}"


class VideoFingerprint(models.Model):
    """A perceptual fingerprint: one 64-bit dHash per sampled second, 8 bytes each."""

    video = models.OneToOneField(
        "videos.Video", on_delete=models.CASCADE, related_name="fingerprint"
    )
    version = models.PositiveIntegerField(default=0)
    hashes = models.BinaryField()
    frame_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Fingerprint of video {self.video_id}"


class AuditAction(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    RELEASE = "release", _("Released")
    DECIDE = "decide", _("Decided")
    EDIT = "edit", _("Edited")
    REPORT = "report", _("Reported")
    AUTO_HIDE = "auto_hide", _("Hidden by reports")
    REPORT_OUTCOME = "report_outcome", _("Report outcome")
    APPEAL = "appeal", _("Appealed")
    RESUBMIT = "resubmit", _("Resubmitted")
    CHECK = "check", _("Automatic checks")
    TRUST = "trust", _("Trusted reporter changed")


class AuditEntry(AppendOnlyModel):
    """Who did what, when, why, with the state before and after. Never updated or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at}"
