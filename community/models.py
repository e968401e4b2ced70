"""Comments, likes, follows, view marks and notifications around published videos."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "comment"], name="community_one_comment_like")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"


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


class NotificationKind(models.TextChoices):
    VIDEO_COMMENTED = "video_commented", _("Someone commented on your video")
    VIDEO_LIKED = "video_liked", _("Someone liked your video")
    FOLLOWED_PUBLISHED = "followed_published", _("Someone you follow published a video")
    MENTION = "mention", _("Someone mentioned you in a comment")
    STORY_UPDATED = "story_updated", _("A story you follow has something new")
    ASSIGNMENT_NEAR = "assignment_near", _("An assignment near you")
    FOLLOWED_ON_AIR = "followed_on_air", _("Someone you follow is on air")
    VIDEO_APPROVED = "video_approved", _("Your video was approved")
    VIDEO_REJECTED = "video_rejected", _("Your video was not published")
    VIDEO_CHANGES = "video_changes", _("An editor asks for changes to your video")
    VIDEO_HIDDEN = "video_hidden", _("Your video was hidden after viewer reports")
    VIDEO_RESTORED = "video_restored", _("Your video is public again after a check")
    VIDEO_REMOVED = "video_removed", _("Your video was removed")
    APPEAL_DECIDED = "appeal_decided", _("The outcome of your appeal")
    REPORT_OUTCOME = "report_outcome", _("The outcome of your report")
    ACCOUNT_WARNED = "account_warned", _("Editors upheld reports about your account")
    COMMENT_REMOVED = "comment_removed", _("An editor removed your comment")
    TIER_CHANGED = "tier_changed", _("You reached a new level")
    EVENT_PROMOTED = "event_promoted", _("You got a place at an event from the waiting list")
    EVENT_REMINDER = "event_reminder", _("An event you signed up for starts soon")


# The kinds that tell a person what moderation decided (the reporter's decisions page lists them).
MODERATION_KINDS: frozenset[str] = frozenset(
    {
        NotificationKind.VIDEO_APPROVED,
        NotificationKind.VIDEO_REJECTED,
        NotificationKind.VIDEO_CHANGES,
        NotificationKind.VIDEO_HIDDEN,
        NotificationKind.VIDEO_RESTORED,
        NotificationKind.VIDEO_REMOVED,
        NotificationKind.APPEAL_DECIDED,
        NotificationKind.REPORT_OUTCOME,
        NotificationKind.ACCOUNT_WARNED,
        NotificationKind.COMMENT_REMOVED,
    }
)


class NotificationChannel(models.TextChoices):
    APP = "app", _("In the app")
    EMAIL = "email", _("In the email digest")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    story = models.ForeignKey(
        "community.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        "community.Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "community.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the sentence needs beyond the links (a reason, a tier, a case id), fixed when it is sent
    # so the text can be rendered later in the reader's language.
    data = models.JSONField(default=dict, blank=True)
    # False when the person turned this kind off in the app but wants it in their email digest.
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationMute(models.Model):
    """A kind a person turned off in one channel (every kind is on in both until they do)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    channel = models.CharField(
        max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.APP
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="community_one_mute_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind} ({self.channel})"


class DigestFrequency(models.TextChoices):
    OFF = "off", _("No email")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class NotificationSettings(models.Model):
    """A person's email digest choice (opt-in: off until they choose) and its language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF, db_index=True
    )
    language = models.CharField(max_length=10, blank=True)  # empty: the site's default language
    # Notifications created up to this moment were offered to a digest already.
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class DigestRun(models.Model):
    """One digest of one person for one period ("daily:2026-11-26", "weekly:2026-W48").

    The unique (user, period) row is taken before the email goes out: a retried or duplicated
    task finds it and sends nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=24)
    cutoff = models.DateTimeField()
    notification_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["user", "period"], name="community_one_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.period} for {self.user_id}"


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


class Story(models.Model):
    """Continuous coverage of one event: a timeline of published videos and editors' updates."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-updated_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


class StoryItemKind(models.TextChoices):
    VIDEO = "video", _("Video")
    UPDATE = "update", _("Update")


class StoryItem(models.Model):
    """One entry of a story's timeline, placed at `happened_at`."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=StoryItemKind.choices)
    video = models.ForeignKey(
        "videos.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)
    happened_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["happened_at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["story", "happened_at"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["story", "video"],
                condition=models.Q(video__isnull=False),
                name="community_video_once_per_story",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in story {self.story_id}"


class StoryFollow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "story"], name="community_one_story_follow")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows story {self.story_id}"


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


# --- Events (online Q&As, meet-ups, trainings) ------------------------------------------------


class EventKind(models.TextChoices):
    ONLINE = "online", _("Online Q&A")
    MEETUP = "meetup", _("Meet-up")
    TRAINING = "training", _("Training")


class Event(models.Model):
    """A Q&A online or a meet-up/training in a place, with a capacity and a waiting list."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return self.kind == EventKind.ONLINE


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("Has a place")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class EventRegistration(models.Model):
    """One person's sign-up; the waiting list is the WAITING rows in `queued_at` order."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    state = models.CharField(max_length=10, choices=RegistrationState.choices, db_index=True)
    queued_at = models.DateTimeField()  # when this person (re)joined: the waiting-list order
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set once by the reminder task (a conditional update): each reminder goes out once.
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["queued_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "user"], name="community_one_registration")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["event", "state", "queued_at"])
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} for event {self.event_id}"


class GuestExpert(models.Model):
    """Staff marked this person as a guest expert (a professional journalist or specialist):
    their comments and chat messages carry the badge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_expert"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"guest expert {self.user_id}"


# --- Live chat (issue #7, item 3): one chat per program channel, identified by its slug --------


class ChatSettings(models.Model):
    """One chat the newsroom opened (for a program or an event) and how it runs: a name without
    a row has no chat (community.chat_selectors.chat_channel)."""

    channel = models.SlugField(pgettext_lazy("chat", "channel"), max_length=50, unique=True)
    # Seconds a person waits between two messages in this channel (0: off). Editors are exempt.
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "chat settings"

    def __str__(self) -> str:
        return f"chat {self.channel}: slow mode {self.slow_mode_seconds}s"


class ChatMessageState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    REMOVED = "removed", _("Removed by an editor")


class ChatMessage(models.Model):
    """One chat line, stored before it is sent to anyone (so a reconnecting client can catch up).

    The author's tier and guest-expert badge are kept as they were when the line was written, so
    history needs no join and an old line keeps the badge it was shown with.
    """

    channel = models.SlugField(max_length=50)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    author_name = models.CharField(max_length=60)
    author_tier = models.CharField(max_length=16)
    guest_expert = models.BooleanField(default=False)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=ChatMessageState.choices, default=ChatMessageState.VISIBLE
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["channel", "id"], name="community_chat_channel_id"),
            models.Index(fields=["author", "created_at"], name="community_chat_author_at"),
        ]

    def __str__(self) -> str:
        return f"chat {self.channel} #{self.pk}"


class ChatMute(models.Model):
    """A person may not write in one channel's chat until `until` (one row per person and channel);
    a mute with a blank channel holds in every chat."""

    channel = models.SlugField(max_length=50, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["channel", "user"], name="community_one_chat_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} muted in chat {self.channel} until {self.until}"
