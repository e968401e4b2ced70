"""The home feed (thin: read, render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.feed import selectors as feed_selectors


def home(request: HttpRequest) -> HttpResponse:
    """On air now, what this person follows (first), stories, newest and most watched videos."""
    feed = feed_selectors.home_feed(user=request.user)
    return render(request, "home.html", {"feed": feed, "latest_videos": feed.newest})
