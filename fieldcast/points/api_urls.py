"""Points API routes, mounted at /api/v1/points/."""

from django.urls import path

from fieldcast.points import api

urlpatterns = [
    path(
        "leaderboards/assignment/<str:assignment_ref>/",
        api.AssignmentBoardApi.as_view(),
        name="api-points-assignment-board",
    ),
    path("leaderboards/<str:board>/", api.LeaderboardApi.as_view(), name="api-points-leaderboard"),
    path("me/", api.MyPointsApi.as_view(), name="api-points-me"),
    path("ratings/", api.RatingApi.as_view(), name="api-points-ratings"),
    path("adjustments/", api.AdjustmentApi.as_view(), name="api-points-adjustments"),
    path("promotions/", api.PromotionApi.as_view(), name="api-points-promotions"),
    path("dashboard/", api.DashboardApi.as_view(), name="api-points-dashboard"),
    path(
        "participation/<int:user_id>/",
        api.ParticipationApi.as_view(),
        name="api-points-participation",
    ),
]
