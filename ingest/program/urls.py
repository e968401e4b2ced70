"""Studio routes.

`urlpatterns` are mounted under /live/ (after the ingest's own /live/ routes): the viewer page,
and the engine's program HLS and WHEP monitor. `studio_urlpatterns` are mounted under /studio/,
`api_urlpatterns` under /api/v1/programs/.
"""

from django.urls import URLPattern, URLResolver, path, re_path

from ingest.program import api, hls, views, whep

app_name = "program"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", views.live, name="live"),
    # The engine's outputs: WHEP monitors and the program HLS (files from storage).
    path("whep/<slug:slug>/", whep.whep_endpoint, name="whep"),
    path("whep/<slug:slug>/<str:session_id>/", whep.whep_session, name="whep-session"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/(?P<file_name>[A-Za-z0-9_-]+\.(?:m3u8|ts))$",
        hls.hls_file,
        name="hls",
    ),
]

studio_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.studio_index, name="index"),
    path("<slug:slug>/", views.studio, name="studio"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.ProgramListApi.as_view(), name="api-programs"),
    path("<slug:slug>/", api.ProgramDetailApi.as_view(), name="api-program"),
    path("<slug:slug>/log/", api.ProgramLogApi.as_view(), name="api-program-log"),
    path("<slug:slug>/on-air/", api.ProgramOnAirApi.as_view(), name="api-program-on-air"),
    path("<slug:slug>/slate-image/", api.ProgramSlateImageApi.as_view(), name="api-program-slate"),
    path("<slug:slug>/<str:action>/", api.ProgramCommandApi.as_view(), name="api-program-command"),
]
