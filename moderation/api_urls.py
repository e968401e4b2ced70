"""Moderation API routes, under /api/v1/moderation/."""

from django.urls import path

from moderation import api

urlpatterns = [
    path("queue/", api.QueueApi.as_view(), name="api-moderation-queue"),
    path("cases/<int:case_id>/", api.CaseApi.as_view(), name="api-moderation-case"),
    path("cases/<int:case_id>/claim/", api.ClaimApi.as_view(), name="api-moderation-claim"),
    path(
        "cases/<int:case_id>/decision/", api.DecisionApi.as_view(), name="api-moderation-decision"
    ),
    path("bulk/", api.BulkApi.as_view(), name="api-moderation-bulk"),
    path("reports/", api.ReportApi.as_view(), name="api-moderation-reports"),
    path("appeals/", api.AppealApi.as_view(), name="api-moderation-appeals"),
    path("notices/", api.NoticesApi.as_view(), name="api-moderation-notices"),
    path("audit/", api.AuditApi.as_view(), name="api-moderation-audit"),
    path("stats/", api.StatsApi.as_view(), name="api-moderation-stats"),
    path("reasons/", api.ReasonsApi.as_view(), name="api-moderation-reasons"),
    path("trusted/<int:user_id>/", api.TrustedReporterApi.as_view(), name="api-moderation-trusted"),
]
