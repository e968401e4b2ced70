"""Every model of the community app, one import away: `from community.models import Comment`.

The models live in their feature's package (`community/comments/models.py`, ...); this package
re-exports them so Django finds them all under the one `community` app label and importers need
not know which feature holds which model.
"""

from community.assignments.models import (
    URGENCY_RANK,
    Assignment,
    AssignmentAcceptance,
    AssignmentState,
    AssignmentUse,
    Urgency,
)
from community.audience.models import ViewMark
from community.chat.models import ChatMessage, ChatMessageState, ChatMute, ChatSettings
from community.comments.models import (
    Comment,
    CommentAction,
    CommentMode,
    CommentSettings,
    CommentState,
)
from community.events.models import (
    Event,
    EventKind,
    EventRegistration,
    GuestExpert,
    RegistrationState,
)
from community.likes.models import CommentLike, VideoLike
from community.notifications.models import (
    MODERATION_KINDS,
    DigestFrequency,
    DigestRun,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationMute,
    NotificationSettings,
)
from community.reporters.models import Follow
from community.stories.models import Story, StoryFollow, StoryItem, StoryItemKind

__all__ = [
    "MODERATION_KINDS",
    "URGENCY_RANK",
    "Assignment",
    "AssignmentAcceptance",
    "AssignmentState",
    "AssignmentUse",
    "ChatMessage",
    "ChatMessageState",
    "ChatMute",
    "ChatSettings",
    "Comment",
    "CommentAction",
    "CommentLike",
    "CommentMode",
    "CommentSettings",
    "CommentState",
    "DigestFrequency",
    "DigestRun",
    "Event",
    "EventKind",
    "EventRegistration",
    "Follow",
    "GuestExpert",
    "Notification",
    "NotificationChannel",
    "NotificationKind",
    "NotificationMute",
    "NotificationSettings",
    "RegistrationState",
    "Story",
    "StoryFollow",
    "StoryItem",
    "StoryItemKind",
    "Urgency",
    "VideoLike",
    "ViewMark",
]
