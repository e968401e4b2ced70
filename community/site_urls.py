"""Community pages mounted at the site root: search and reporters' profiles (/search/,
/reporters/<id>/). The home feed (/) is routed in fieldcast/urls.py.
"""

from django.urls import path

from community.reporters import views as reporter_views
from community.search import views as search_views

urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("reporters/<int:reporter_id>/", reporter_views.reporter, name="reporter"),
    path(
        "reporters/<int:reporter_id>/follow/",
        reporter_views.reporter_follow,
        name="reporter-follow",
    ),
    path(
        "reporters/<int:reporter_id>/unfollow/",
        reporter_views.reporter_unfollow,
        name="reporter-unfollow",
    ),
]
