"""The home feed, the search page and reporters' profile pages (thin: parse, read, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community import feed_selectors, search_selectors, services
from fieldcast.accounts.models import User
from fieldcast.core.errors import ApplicationError


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def home(request: HttpRequest) -> HttpResponse:
    """On air now, what this person follows (first), stories, newest and most watched videos."""
    feed = feed_selectors.home_feed(user=request.user)  # type: ignore[arg-type]
    return render(request, "home.html", {"feed": feed, "latest_videos": feed.newest})


def search(request: HttpRequest) -> HttpResponse:
    """Published videos, reporters and stories matching `?q=`; a page of videos at a time."""
    error = ""
    status = 200
    try:
        query = search_selectors.search_query_clean(request.GET.get("q"))
    except ApplicationError as exc:
        error, status, query = exc.message, 400, ""
    results = search_selectors.search(query=query, page=_page(request))
    return render(
        request,
        "community/search.html",
        {
            "results": results,
            "q": request.GET.get("q", "")[: search_selectors.QUERY_MAX_LENGTH] if error else query,
            "error": error,
            "max_length": search_selectors.QUERY_MAX_LENGTH,
        },
        status=status,
    )


def _reporter(reporter_id: int) -> User:
    reporter = feed_selectors.reporter_for_profile(reporter_id=reporter_id)
    if reporter is None:
        raise Http404
    return reporter


def reporter(request: HttpRequest, reporter_id: int) -> HttpResponse:
    """A reporter's page: published work (all of it for the reporter), tier, followers, stories."""
    profile = feed_selectors.reporter_profile(
        reporter=_reporter(reporter_id),
        user=request.user,  # type: ignore[arg-type]
        page=_page(request),
    )
    return render(request, "community/reporter.html", {"profile": profile})


@login_required
@require_POST
def reporter_follow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    try:
        services.follow_create(user=request.user, reporter_id=reporter_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("reporter", reporter_id=reporter_id)


@login_required
@require_POST
def reporter_unfollow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    try:
        services.follow_delete(user=request.user, reporter_id=reporter_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("reporter", reporter_id=reporter_id)
