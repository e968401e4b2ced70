"""Video pages and media endpoints (mounted at /videos/)."""

from django.urls import path

from fieldcast.videos import views

urlpatterns = [
    path("upload/", views.upload, name="video-upload"),
    path("mine/", views.my_videos, name="my-videos"),
    path("<int:video_id>/", views.watch, name="video-watch"),
    path("<int:video_id>/hls/master.m3u8", views.hls_master, name="video-hls-master"),
    path(
        "<int:video_id>/hls/<str:name>/index.m3u8",
        views.hls_rendition,
        name="video-hls-rendition",
    ),
    path("<int:video_id>/poster.jpg", views.poster, name="video-poster"),
    path("<int:video_id>/thumbnails.jpg", views.thumbnails, name="video-thumbnails"),
    path("<int:video_id>/download.mp4", views.download, name="video-download"),
    path("media/<str:token>/<str:name>", views.signed_media, name="video-signed-media"),
]
