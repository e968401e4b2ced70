"""Videos API routes (mounted at /api/v1/videos/). Uploads are tus at /api/v1/uploads/
(`fieldcast.videos.tus`, in front of Django)."""

from django.urls import path

from fieldcast.videos import api

urlpatterns = [
    path("", api.VideoListApi.as_view(), name="api-videos"),
    path("<int:video_id>/", api.VideoDetailApi.as_view(), name="api-video"),
]
