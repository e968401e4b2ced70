"""Assignments: editors' calls for footage, the contributions they used, reporters' acceptances."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    BREAKING = "breaking", _("Breaking")


URGENCY_RANK = {Urgency.BREAKING: 0, Urgency.HIGH: 1, Urgency.NORMAL: 2, Urgency.LOW: 3}


class AssignmentState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Assignment(models.Model):
    """An editors' call for footage; videos answer it through `Video.assignment_ref` = str(id)."""

    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief"), max_length=5000)
    city = models.CharField(_("city"), max_length=80, db_index=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    points_bonus = models.PositiveIntegerField(_("points bonus"), default=0)
    state = models.CharField(
        max_length=10, choices=AssignmentState.choices, default=AssignmentState.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The story this call feeds: used footage joins its timeline, its live sources light the banner.
    story = models.ForeignKey(
        "community.Story",
        verbose_name=_("story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        return str(self.pk)


class AssignmentUse(models.Model):
    """An editor marked this contributed video as used (paid once through the points ledger)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="uses")
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assignment", "video"], name="community_one_use")
        ]

    def __str__(self) -> str:
        return f"video {self.video_id} used for assignment {self.assignment_id}"


class AssignmentAcceptance(models.Model):
    """A reporter said they will cover this assignment (their list of accepted calls)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="acceptances")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accepted_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assignment", "reporter"], name="community_one_accept")
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id} accepted assignment {self.assignment_id}"
