"""Moderation pages under /moderation/ (the API is in moderation/api_urls.py)."""

from django.urls import path

from moderation import views

urlpatterns = [
    path("", views.queue, name="moderation-queue"),
    path("cases/<int:case_id>/", views.case_review, name="moderation-case"),
    path("cases/<int:case_id>/claim/", views.case_claim, name="moderation-claim"),
    path("cases/<int:case_id>/release/", views.case_release, name="moderation-release"),
    path("cases/<int:case_id>/decide/", views.case_decide, name="moderation-decide"),
    path("cases/<int:case_id>/resubmit/", views.resubmit, name="moderation-resubmit"),
    path("bulk/", views.bulk_decide, name="moderation-bulk"),
    path("report/video/<int:video_id>/", views.report_video, name="moderation-report-video"),
    path("report/user/<int:user_id>/", views.report_user, name="moderation-report-user"),
    path(
        "report/comment/<int:comment_id>/",
        views.report_comment,
        name="moderation-report-comment",
    ),
    path("notices/", views.notices, name="moderation-notices"),
    path("appeal/<int:video_id>/", views.appeal, name="moderation-appeal"),
    path("audit/", views.audit_log, name="moderation-audit"),
    path("stats/", views.stats, name="moderation-stats"),
    path("trusted/<int:user_id>/", views.trusted_set, name="moderation-trusted"),
]
