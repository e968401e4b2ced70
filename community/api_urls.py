"""Community API routes, under /api/v1/community/."""

from django.urls import path

from community import api, chat_api, event_api, search_api

urlpatterns = [
    path("videos/<int:video_id>/comments/", api.VideoCommentsApi.as_view(), name="api-comments"),
    path("videos/<int:video_id>/like/", api.VideoLikeApi.as_view(), name="api-video-like"),
    path("videos/<int:video_id>/view/", api.ViewApi.as_view(), name="api-video-view"),
    path(
        "videos/<int:video_id>/comment-settings/",
        api.CommentSettingsApi.as_view(),
        name="api-comment-settings",
    ),
    path("comments/<int:comment_id>/", api.CommentApi.as_view(), name="api-comment"),
    path(
        "comments/<int:comment_id>/remove/",
        api.CommentRemoveApi.as_view(),
        name="api-comment-remove",
    ),
    path(
        "comments/<int:comment_id>/approve/",
        api.CommentApproveApi.as_view(),
        name="api-comment-approve",
    ),
    path("comments/<int:comment_id>/like/", api.CommentLikeApi.as_view(), name="api-comment-like"),
    path("reporters/<int:reporter_id>/follow/", api.FollowApi.as_view(), name="api-follow"),
    path("notifications/", api.NotificationsApi.as_view(), name="api-notifications"),
    path(
        "notifications/unread/",
        api.NotificationsUnreadApi.as_view(),
        name="api-notifications-unread",
    ),
    path("notifications/read/", api.NotificationsReadApi.as_view(), name="api-notifications-read"),
    path(
        "notifications/preferences/",
        api.NotificationPreferencesApi.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "notifications/digest/",
        api.NotificationDigestApi.as_view(),
        name="api-notification-digest",
    ),
    path("assignments/", api.AssignmentsApi.as_view(), name="api-assignments"),
    path("assignments/<int:assignment_id>/", api.AssignmentApi.as_view(), name="api-assignment"),
    path(
        "assignments/<int:assignment_id>/close/",
        api.AssignmentCloseApi.as_view(),
        name="api-assignment-close",
    ),
    path(
        "assignments/<int:assignment_id>/use/<int:video_id>/",
        api.AssignmentUseApi.as_view(),
        name="api-assignment-use",
    ),
    path("stories/", api.StoriesApi.as_view(), name="api-stories"),
    path("stories/<int:story_id>/", api.StoryApi.as_view(), name="api-story"),
    path("stories/<int:story_id>/items/", api.StoryItemsApi.as_view(), name="api-story-items"),
    path("stories/<int:story_id>/follow/", api.StoryFollowApi.as_view(), name="api-story-follow"),
]

# Live chat (community.chat_api): /api/v1/community/chat/<channel>/...
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
    path("search/", search_api.SearchApi.as_view(), name="api-search"),
    path("feed/", search_api.FeedApi.as_view(), name="api-feed"),
    path("reporters/<int:reporter_id>/", search_api.ReporterApi.as_view(), name="api-reporter"),
]

# Events and guest experts (community.event_api).
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

# Reporters accept assignments (community.api).
urlpatterns += [
    path("assignments/mine/", api.AssignmentsMineApi.as_view(), name="api-assignments-mine"),
    path(
        "assignments/<int:assignment_id>/accept/",
        api.AssignmentAcceptApi.as_view(),
        name="api-assignment-accept",
    ),
]

# Comments on stories (community.api).
urlpatterns += [
    path(
        "stories/<int:story_id>/comments/",
        api.StoryCommentsApi.as_view(),
        name="api-story-comments",
    ),
]
