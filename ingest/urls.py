"""Live pages and the WHIP endpoint, under /live/."""

from django.urls import path

from ingest import views

app_name = "ingest"

urlpatterns = [
    path("go/", views.go_live, name="go-live"),
    path("go/key/", views.go_live_key, name="go-live-key"),
    path("sources/", views.sources, name="sources"),
    path("whip/", views.whip_endpoint, name="whip"),
    path("srt/", views.srt_session, name="srt"),
    path("whip/<str:session_id>/", views.whip_session, name="whip-session"),
    path("keys/", views.key_create, name="key-create"),
    path("keys/rotate-all/", views.keys_rotate_all, name="keys-rotate-all"),
    path("keys/<int:key_id>/rotate/", views.key_rotate, name="key-rotate"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key-revoke"),
]
