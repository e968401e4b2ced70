"""Reporters' profile pages and the buttons that follow them (on a profile or under a video)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community.comments.views import respond_with_block
from community.common import int_or_none, page_number
from community.reporters import selectors, services
from fieldcast.accounts.models import User
from fieldcast.core.errors import ApplicationError


@login_required
@require_POST
def follow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    video_id = int_or_none(request.POST.get("video"))
    action = lambda: services.follow_create(user=request.user, reporter_id=reporter_id)  # noqa: E731
    if video_id is not None:
        return respond_with_block(request, video_id, action)
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community:notifications")


@login_required
@require_POST
def unfollow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    video_id = int_or_none(request.POST.get("video"))
    action = lambda: services.follow_delete(user=request.user, reporter_id=reporter_id)  # noqa: E731
    if video_id is not None:
        return respond_with_block(request, video_id, action)
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community:notifications")


def _reporter(reporter_id: int) -> User:
    reporter = selectors.reporter_for_profile(reporter_id=reporter_id)
    if reporter is None:
        raise Http404
    return reporter


def reporter(request: HttpRequest, reporter_id: int) -> HttpResponse:
    """A reporter's page: published work (all of it for the reporter), tier, followers, stories."""
    profile = selectors.reporter_profile(
        reporter=_reporter(reporter_id),
        user=request.user,
        page=page_number(request),
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
