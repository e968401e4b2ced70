"""Community API routes, under /api/v1/community/ (one table for every feature)."""

from django.urls import path

from community.assignments import api as assignment_api
from community.audience import api as audience_api
from community.chat import api as chat_api
from community.comments import api as comment_api
from community.events import api as event_api
from community.feed import api as feed_api
from community.likes import api as like_api
from community.notifications import api as notification_api
from community.reporters import api as reporter_api
from community.search import api as search_api
from community.stories import api as story_api

# Comments, likes, views and follows.
urlpatterns = [
    path(
        "videos/<int:video_id>/comments/",
        comment_api.VideoCommentsApi.as_view(),
        name="api-comments",
    ),
    path("videos/<int:video_id>/like/", like_api.VideoLikeApi.as_view(), name="api-video-like"),
    path("videos/<int:video_id>/view/", audience_api.ViewApi.as_view(), name="api-video-view"),
    path(
        "videos/<int:video_id>/comment-settings/",
        comment_api.CommentSettingsApi.as_view(),
        name="api-comment-settings",
    ),
    path("comments/<int:comment_id>/", comment_api.CommentApi.as_view(), name="api-comment"),
    path(
        "comments/<int:comment_id>/remove/",
        comment_api.CommentRemoveApi.as_view(),
        name="api-comment-remove",
    ),
    path(
        "comments/<int:comment_id>/approve/",
        comment_api.CommentApproveApi.as_view(),
        name="api-comment-approve",
    ),
    path(
        "comments/<int:comment_id>/like/",
        like_api.CommentLikeApi.as_view(),
        name="api-comment-like",
    ),
    path(
        "stories/<int:story_id>/comments/",
        comment_api.StoryCommentsApi.as_view(),
        name="api-story-comments",
    ),
    path(
        "reporters/<int:reporter_id>/follow/",
        reporter_api.FollowApi.as_view(),
        name="api-follow",
    ),
]

# Notifications.
urlpatterns += [
    path("notifications/", notification_api.NotificationsApi.as_view(), name="api-notifications"),
    path(
        "notifications/unread/",
        notification_api.NotificationsUnreadApi.as_view(),
        name="api-notifications-unread",
    ),
    path(
        "notifications/read/",
        notification_api.NotificationsReadApi.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/preferences/",
        notification_api.NotificationPreferencesApi.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "notifications/digest/",
        notification_api.NotificationDigestApi.as_view(),
        name="api-notification-digest",
    ),
]

# Assignments: editors' calls, and the reporters who accept them.
urlpatterns += [
    path("assignments/", assignment_api.AssignmentsApi.as_view(), name="api-assignments"),
    path(
        "assignments/mine/",
        assignment_api.AssignmentsMineApi.as_view(),
        name="api-assignments-mine",
    ),
    path(
        "assignments/<int:assignment_id>/",
        assignment_api.AssignmentApi.as_view(),
        name="api-assignment",
    ),
    path(
        "assignments/<int:assignment_id>/close/",
        assignment_api.AssignmentCloseApi.as_view(),
        name="api-assignment-close",
    ),
    path(
        "assignments/<int:assignment_id>/use/<int:video_id>/",
        assignment_api.AssignmentUseApi.as_view(),
        name="api-assignment-use",
    ),
    path(
        "assignments/<int:assignment_id>/accept/",
        assignment_api.AssignmentAcceptApi.as_view(),
        name="api-assignment-accept",
    ),
]

# Stories.
urlpatterns += [
    path("stories/", story_api.StoriesApi.as_view(), name="api-stories"),
    path("stories/<int:story_id>/", story_api.StoryApi.as_view(), name="api-story"),
    path(
        "stories/<int:story_id>/items/", story_api.StoryItemsApi.as_view(), name="api-story-items"
    ),
    path(
        "stories/<int:story_id>/follow/",
        story_api.StoryFollowApi.as_view(),
        name="api-story-follow",
    ),
]

# Live chat: /api/v1/community/chat/<channel>/...
urlpatterns += [
    path(
        "chat/<slug:channel>/messages/",
        chat_api.ChatMessagesApi.as_view(),
        name="api-chat-messages",
    ),
    path(
        "chat/<slug:channel>/messages/<int:message_id>/",
        chat_api.ChatMessageApi.as_view(),
        name="api-chat-message",
    ),
    path("chat/<slug:channel>/mutes/", chat_api.ChatMutesApi.as_view(), name="api-chat-mutes"),
    path(
        "chat/<slug:channel>/settings/",
        chat_api.ChatSettingsApi.as_view(),
        name="api-chat-settings",
    ),
]

# Search, the home feed and reporters' profiles.
urlpatterns += [
    path("search/", search_api.SearchApi.as_view(), name="api-search"),
    path("feed/", feed_api.FeedApi.as_view(), name="api-feed"),
    path("reporters/<int:reporter_id>/", reporter_api.ReporterApi.as_view(), name="api-reporter"),
]

# Events and guest experts.
urlpatterns += [
    path("events/", event_api.EventsApi.as_view(), name="api-events"),
    path("events/<int:event_id>/", event_api.EventApi.as_view(), name="api-event"),
    path(
        "events/<int:event_id>/sign-up/",
        event_api.EventSignUpApi.as_view(),
        name="api-event-sign-up",
    ),
    path(
        "events/<int:event_id>/attendance/",
        event_api.EventAttendanceApi.as_view(),
        name="api-event-attendance",
    ),
    path("guest-experts/", event_api.GuestExpertsApi.as_view(), name="api-guest-experts"),
    path(
        "guest-experts/<int:user_id>/",
        event_api.GuestExpertApi.as_view(),
        name="api-guest-expert",
    ),
]
