"""Community pages under /community/."""

from django.urls import path

from community import chat_views, event_views, notification_views, views

app_name = "community"

urlpatterns = [
    path("videos/<int:video_id>/comments/", views.comment_create, name="comment-create"),
    path("videos/<int:video_id>/like/", views.video_like, name="video-like"),
    path("videos/<int:video_id>/unlike/", views.video_unlike, name="video-unlike"),
    path(
        "videos/<int:video_id>/comment-settings/", views.comment_settings, name="comment-settings"
    ),
    path("comments/<int:comment_id>/", views.comment_thread, name="comment-thread"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:comment_id>/remove/", views.comment_remove, name="comment-remove"),
    path("comments/<int:comment_id>/approve/", views.comment_approve, name="comment-approve"),
    path("comments/<int:comment_id>/like/", views.comment_like, name="comment-like"),
    path("comments/<int:comment_id>/unlike/", views.comment_unlike, name="comment-unlike"),
    path("reporters/<int:reporter_id>/follow/", views.follow, name="follow"),
    path("reporters/<int:reporter_id>/unfollow/", views.unfollow, name="unfollow"),
    path("held/", views.held, name="held"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_new, name="story-new"),
    path("stories/<int:story_id>/", views.story_detail, name="story"),
    path("stories/<int:story_id>/items/", views.story_add, name="story-add"),
    path("stories/<int:story_id>/follow/", views.story_follow, name="story-follow"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment-new"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/close/", views.assignment_close, name="assignment-close"),
    path(
        "assignments/<int:assignment_id>/use/<int:video_id>/",
        views.assignment_use,
        name="assignment-use",
    ),
    path("notifications/", views.notifications, name="notifications"),
]

# Live chat on a page of its own (community.chat_views).
urlpatterns += [path("chat/<slug:channel>/", chat_views.chat_page, name="chat")]

# Events, their attendance sheets and the guest expert badge (community.event_views).
urlpatterns += [
    path("events/", event_views.events, name="events"),
    path("events/new/", event_views.event_new, name="event-new"),
    path("events/<int:event_id>/", event_views.event_detail, name="event"),
    path("events/<int:event_id>/sign-up/", event_views.event_sign_up, name="event-sign-up"),
    path("events/<int:event_id>/cancel/", event_views.event_cancel, name="event-cancel"),
    path(
        "events/<int:event_id>/attendance/",
        event_views.event_attendance,
        name="event-attendance",
    ),
    path("guest-experts/", event_views.guest_experts, name="guest-experts"),
]

# The email digest's unsubscribe link (community.notification_views; no login needed).
urlpatterns += [
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.digest_unsubscribe,
        name="digest-unsubscribe",
    )
]

# Reporters accept assignments and see their list (community.views).
urlpatterns += [
    path("assignments/mine/", views.assignments_mine, name="assignments-mine"),
    path(
        "assignments/<int:assignment_id>/accept/",
        views.assignment_accept,
        name="assignment-accept",
    ),
]

# Comments on stories (same block and rules as a video's; community.views).
urlpatterns += [
    path(
        "stories/<int:story_id>/comments/",
        views.story_comment_create,
        name="story-comment-create",
    ),
]
