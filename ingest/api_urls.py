"""Live API routes, included under /api/v1/live/."""

from django.urls import path

from ingest import api

urlpatterns = [
    path("keys/", api.StreamKeyListApi.as_view(), name="api-live-keys"),
    path("keys/<int:key_id>/", api.StreamKeyDetailApi.as_view(), name="api-live-key"),
    path("keys/<int:key_id>/rotate/", api.StreamKeyRotateApi.as_view(), name="api-live-key-rotate"),
    path("sources/", api.LiveSourceListApi.as_view(), name="api-live-sources"),
    path("sources/<uuid:source_key>/", api.LiveSourceDetailApi.as_view(), name="api-live-source"),
    path(
        "sources/<uuid:source_key>/<str:action>/",
        api.LiveSourceDecisionApi.as_view(),
        name="api-live-source-decide",
    ),
]
