"""Community pages under /community/ (one table for every feature; names are `community:<name>`)."""

from django.urls import path

from community.assignments import views as assignment_views
from community.chat import views as chat_views
from community.comments import views as comment_views
from community.events import views as event_views
from community.likes import views as like_views
from community.notifications import views as notification_views
from community.reporters import views as reporter_views
from community.stories import views as story_views

app_name = "community"

# Comments, likes and follows of the comment block under a video or a story.
urlpatterns = [
    path("videos/<int:video_id>/comments/", comment_views.comment_create, name="comment-create"),
    path("videos/<int:video_id>/like/", like_views.video_like, name="video-like"),
    path("videos/<int:video_id>/unlike/", like_views.video_unlike, name="video-unlike"),
    path(
        "videos/<int:video_id>/comment-settings/",
        comment_views.comment_settings,
        name="comment-settings",
    ),
    path("comments/<int:comment_id>/", comment_views.comment_thread, name="comment-thread"),
    path("comments/<int:comment_id>/edit/", comment_views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", comment_views.comment_delete, name="comment-delete"),
    path("comments/<int:comment_id>/remove/", comment_views.comment_remove, name="comment-remove"),
    path(
        "comments/<int:comment_id>/approve/", comment_views.comment_approve, name="comment-approve"
    ),
    path("comments/<int:comment_id>/like/", like_views.comment_like, name="comment-like"),
    path("comments/<int:comment_id>/unlike/", like_views.comment_unlike, name="comment-unlike"),
    path("reporters/<int:reporter_id>/follow/", reporter_views.follow, name="follow"),
    path("reporters/<int:reporter_id>/unfollow/", reporter_views.unfollow, name="unfollow"),
    path("held/", comment_views.held, name="held"),
    path(
        "stories/<int:story_id>/comments/",
        comment_views.story_comment_create,
        name="story-comment-create",
    ),
]

# Stories.
urlpatterns += [
    path("stories/", story_views.stories, name="stories"),
    path("stories/new/", story_views.story_new, name="story-new"),
    path("stories/<int:story_id>/", story_views.story_detail, name="story"),
    path("stories/<int:story_id>/items/", story_views.story_add, name="story-add"),
    path("stories/<int:story_id>/follow/", story_views.story_follow, name="story-follow"),
]

# Assignments: editors' calls, and the reporters who accept them.
urlpatterns += [
    path("assignments/", assignment_views.assignments, name="assignments"),
    path("assignments/new/", assignment_views.assignment_new, name="assignment-new"),
    path("assignments/mine/", assignment_views.assignments_mine, name="assignments-mine"),
    path("assignments/<int:assignment_id>/", assignment_views.assignment_detail, name="assignment"),
    path(
        "assignments/<int:assignment_id>/close/",
        assignment_views.assignment_close,
        name="assignment-close",
    ),
    path(
        "assignments/<int:assignment_id>/use/<int:video_id>/",
        assignment_views.assignment_use,
        name="assignment-use",
    ),
    path(
        "assignments/<int:assignment_id>/accept/",
        assignment_views.assignment_accept,
        name="assignment-accept",
    ),
]

# Notifications and the email digest's unsubscribe link (no login needed).
urlpatterns += [
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.digest_unsubscribe,
        name="digest-unsubscribe",
    ),
]

# Live chat on a page of its own.
urlpatterns += [path("chat/<slug:channel>/", chat_views.chat_page, name="chat")]

# Events, their attendance sheets and the guest expert badge.
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
