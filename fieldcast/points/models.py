"""Points: the append-only ledger and what is derived from it.

`PointEvent` is the only source of truth. `PointsAccount` and `PointsPeriodTotal` are caches that
`services.points_award` / `points_reverse` update in the same transaction, and that the
`points_rebuild` command can recompute from the ledger at any time. `TierChange`, `PromotionRecord`
and `Nudge` are append-only records too: corrections are new rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldcast.core.models import AppendOnlyModel


class Tier(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    CITIZEN = "citizen", _("Citizen reporter")
    TRUSTED = "trusted", _("Trusted reporter")
    STAR = "star", _("Star reporter")


class PointEvent(models.Model):
    """One deed that paid (or cost) points. Never updated, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_events"
    )
    rule = models.CharField(max_length=40)
    points = models.IntegerField()
    # What the rule paid before the multiplier: daily caps count these.
    base_points = models.IntegerField()
    # The object that earned it: a model row (content type + id) or a plain reference string.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    obj_ref = models.CharField(max_length=200, blank=True)
    # Unique per deed: the same deed delivered twice pays once.
    key = models.CharField(max_length=255, unique=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(db_index=True)
    # The week (its Monday) and month the event counts in, in the site's time zone, fixed when
    # the event is written: the weekly/monthly boards and `points_rebuild` group on these.
    week = models.DateField()
    month = models.DateField()
    # The assignment the deed answered (a plain reference, as Video.assignment_ref): its board.
    assignment_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Daily caps and per-user history.
            models.Index(fields=["user", "rule", "created_at"], name="points_evt_user_rule_at"),
            models.Index(fields=["user", "created_at"], name="points_evt_user_at"),
            models.Index(
                fields=["assignment_ref", "user"],
                name="points_evt_assignment",
                condition=~models.Q(assignment_ref=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.rule} {self.points:+d}"


class PointsAccount(models.Model):
    """The cached total, level and tier of one user; rebuilt from the ledger on demand."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="points_account",
    )
    total = models.BigIntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=1)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.VIEWER)
    hide_from_boards = models.BooleanField(default=False)
    # Copied from the profile at every award so boards by city need no join.
    city = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["hide_from_boards", "-total", "user"], name="points_acct_board"),
            models.Index(
                fields=["hide_from_boards", "city", "-total", "user"],
                name="points_acct_board_city",
            ),
            models.Index(fields=["tier"], name="points_acct_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.total}"


class Period(models.TextChoices):
    WEEK = "week", _("This week")
    MONTH = "month", _("This month")


class PointsPeriodTotal(models.Model):
    """Points a user earned in one week or month: the weekly and monthly boards read these."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()
    points = models.BigIntegerField(default=0)
    city = models.CharField(max_length=80, blank=True)
    hidden = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "start"], name="points_period_unique")
        ]
        indexes = [
            models.Index(
                fields=["period", "start", "hidden", "-points", "user"],
                name="points_period_board",
            ),
            models.Index(
                fields=["period", "start", "hidden", "city", "-points", "user"],
                name="points_period_board_city",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.start}: {self.points}"


class TierChange(models.Model):
    """A user moved from one tier to another (append-only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tier_changes"
    )
    from_tier = models.CharField(max_length=16, choices=Tier.choices)
    to_tier = models.CharField(max_length=16, choices=Tier.choices)
    total_at_change = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.from_tier} -> {self.to_tier}"


class PromotionAction(models.TextChoices):
    PROMOTE = "promote", _("Promoted to network reporter")
    DEMOTE = "demote", _("Demoted from network reporter")


class PromotionRecord(models.Model):
    """Staff promoted or demoted a reporter: who, when and why (append-only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promotion_records"
    )
    action = models.CharField(max_length=10, choices=PromotionAction.choices)
    role = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} by {self.by_id}"


class NudgeKind(models.TextChoices):
    LEVEL = "level", _("Next level")
    TIER = "tier", _("Next tier")


class Nudge(models.Model):
    """ "You are close": at most one per user per day. Parameters, not text: shown in any language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_nudges"
    )
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=NudgeKind.choices)
    gap = models.PositiveIntegerField()
    target = models.CharField(max_length=16)  # the level number or the tier code
    clips = models.PositiveIntegerField()  # published clips that would close the gap
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="points_nudge_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.gap} to {self.kind} {self.target}"


class ViewerRating(models.Model):
    """A viewer's 1-5 rating of a reporter for one month; one per viewer, reporter and month."""

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewer_ratings"
    )
    month = models.DateField()  # the first day of the month
    stars = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "reporter", "month"], name="points_rating_once_a_month"
            ),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="points_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~models.Q(rater=models.F("reporter")), name="points_rating_not_self"
            ),
        ]
        indexes = [models.Index(fields=["month", "reporter"], name="points_rating_month")]

    def __str__(self) -> str:
        return f"{self.rater_id} -> {self.reporter_id} {self.month}: {self.stars}"


class ActivityKind(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    LIVE = "live", _("Went live")
    COMMENT = "comment", _("Comment")
    VIEW = "view", _("View")
    LOGIN = "login", _("Login")
    LIKE = "like", _("Like")


class Activity(AppendOnlyModel):
    """One thing a person did (the activity trail for staff analytics). Append-only and cheap:
    one insert, no reads. `day` is the local day, fixed when written, so per-day counts group on
    a plain column; `obj_ref` names the object ("video:12") without a foreign key to keep."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        # No database constraint: the insert stays one write with no key check on hot paths.
        db_constraint=False,
    )
    kind = models.CharField(max_length=8, choices=ActivityKind.choices)
    obj_ref = models.CharField(max_length=64, blank=True)
    day = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("activities")
        indexes = [
            # Per-day aggregation (active users per day/week, counts per kind) and segments.
            models.Index(fields=["day", "kind", "user"], name="points_activity_day_kind"),
            # One person's trail.
            models.Index(fields=["user", "day"], name="points_activity_user_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.day}"
