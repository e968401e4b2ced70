"""Points pages under /points/."""

from django.urls import path

from fieldcast.points import views

urlpatterns = [
    path("leaderboards/", views.leaderboards, name="points-leaderboards"),
    path(
        "leaderboards/assignment/<str:assignment_ref>/",
        views.assignment_board,
        name="points-assignment-board",
    ),
    path("leaderboards/<str:board>/", views.leaderboards, name="points-leaderboard"),
    path("visibility/", views.board_visibility, name="points-visibility"),
    path("reporters/<int:user_id>/", views.reporter_card, name="points-reporter"),
    path("reporters/<int:user_id>/rate/", views.rate_reporter, name="points-rate"),
    path("reporters/<int:user_id>/adjust/", views.adjust, name="points-adjust"),
    path("staff/promotions/", views.promotions, name="points-promotions"),
    path(
        "staff/promotions/<int:user_id>/<str:action>/",
        views.promotion_decide,
        name="points-promotion-decide",
    ),
    path("staff/dashboard/", views.dashboard, name="points-dashboard"),
    path(
        "staff/dashboard/segments/<str:segment>.csv",
        views.segment_csv,
        name="points-segment-csv",
    ),
]
