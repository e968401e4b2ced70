"""Story pages: the list, one story's timeline with its comments, editors' entries, follows."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.comments import selectors as comment_selectors
from community.common import int_or_none
from community.stories import selectors, services
from fieldcast.accounts.guards import has_permission
from fieldcast.core.errors import ApplicationError


def stories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/stories.html",
        {
            "stories": list(selectors.story_list()[:100]),
            "is_editor": has_permission(request.user, "moderate_content"),
        },
    )


@login_required
@require_POST
def story_new(request: HttpRequest) -> HttpResponse:
    try:
        story = services.story_create(
            user=request.user,
            title=request.POST.get("title", ""),
            summary=request.POST.get("summary", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("community:stories")
    return redirect("community:story", story_id=story.pk)


def story_detail(request: HttpRequest, story_id: int) -> HttpResponse:
    timeline = selectors.story_timeline(story_id=story_id, user=request.user)
    if timeline is None:
        raise Http404(_("We could not find that story."))
    try:
        comments_page = max(1, int(request.GET.get("comments_page", "1")))
    except ValueError:
        comments_page = 1
    cblock = comment_selectors.comment_block(
        story=timeline.story,
        user=request.user,
        page=comments_page,
    )
    return render(
        request,
        "community/story.html",
        {
            "timeline": timeline,
            "story": timeline.story,
            "cblock": cblock,
            "is_editor": has_permission(request.user, "moderate_content"),
        },
    )


def _story_action(
    request: HttpRequest, story_id: int, action: Callable[[], object], done: str = ""
) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    return redirect("community:story", story_id=story_id)


@login_required
@require_POST
def story_add(request: HttpRequest, story_id: int) -> HttpResponse:
    video_id = int_or_none(request.POST.get("video"))
    if request.POST.get("kind") == "video":
        if video_id is None:
            messages.error(request, _("Give the number of a published video."))
            return redirect("community:story", story_id=story_id)
        return _story_action(
            request,
            story_id,
            lambda: services.story_add_video(
                user=request.user, story_id=story_id, video_id=video_id
            ),
        )
    return _story_action(
        request,
        story_id,
        lambda: services.story_add_update(
            user=request.user, story_id=story_id, text=request.POST.get("text", "")
        ),
    )


@login_required
@require_POST
def story_follow(request: HttpRequest, story_id: int) -> HttpResponse:
    if request.POST.get("follow") == "0":
        return _story_action(
            request, story_id, lambda: services.story_unfollow(user=request.user, story_id=story_id)
        )
    return _story_action(
        request, story_id, lambda: services.story_follow(user=request.user, story_id=story_id)
    )
