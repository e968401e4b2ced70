"""Search and reporters' profile pages, mounted at the site root (/search/, /reporters/<id>/)."""

from django.urls import path

from community import feed_views

urlpatterns = [
    path("search/", feed_views.search, name="search"),
    path("reporters/<int:reporter_id>/", feed_views.reporter, name="reporter"),
    path("reporters/<int:reporter_id>/follow/", feed_views.reporter_follow, name="reporter-follow"),
    path(
        "reporters/<int:reporter_id>/unfollow/",
        feed_views.reporter_unfollow,
        name="reporter-unfollow",
    ),
]
