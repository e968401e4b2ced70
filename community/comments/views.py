"""Comment pages and the HTMX endpoints of the comment block (under a video or a story).

Thin: parse, call a service, then answer HTMX with the re-rendered block (refusals shown inside
it) or a plain form post with a redirect back and a page message. `respond_with_block` and
`respond_on_comment` are shared with the likes and follow buttons of the same block.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.comments import selectors, services
from community.common import int_or_none
from community.models import Comment, Story
from fieldcast.core.errors import ApplicationError, NotFound
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_for_viewer


def _block_response(
    request: HttpRequest,
    video: Video | None,
    *,
    focus_id: int | None,
    error: str = "",
    story: Story | None = None,
) -> HttpResponse:
    block = selectors.comment_block(
        video=video,
        story=story,
        user=request.user,
        focus_id=focus_id,
    )
    html = render_to_string(
        "community/_block.html", {"cblock": block, "error": error}, request=request
    )
    return HttpResponse(html)


def respond_with_block(
    request: HttpRequest,
    video_id: int | None,
    action: Callable[[], object],
    done: str = "",
    *,
    story_id: int | None = None,
) -> HttpResponse:
    """Run `action`; answer with the block (HTMX) or a redirect to where the form was."""
    error = ""
    try:
        action()
    except ApplicationError as exc:
        error = exc.message
    focus_id = int_or_none(request.POST.get("focus"))
    if request.headers.get("HX-Request"):
        if story_id is not None:
            story = Story.objects.filter(pk=story_id).first()
            if story is None:
                raise Http404(_("We could not find that story."))
            return _block_response(request, None, focus_id=focus_id, error=error, story=story)
        try:
            video = video_for_viewer(video_id=video_id or 0, user=request.user)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        return _block_response(request, video, focus_id=focus_id, error=error)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    if focus_id is not None:
        return redirect(reverse("community:comment-thread", args=[focus_id]))
    if story_id is not None:
        return redirect(reverse("community:story", args=[story_id]) + "#community-block")
    return redirect(reverse("video-watch", args=[video_id]) + "#community-block")


def _target_of_comment(comment_id: int) -> tuple[int | None, int | None]:
    """(video id, story id) of a comment: exactly one is set."""
    row = Comment.objects.filter(pk=comment_id).values_list("video_id", "story_id").first()
    if row is None:
        raise Http404(_("We could not find that comment."))
    return row


def respond_on_comment(
    request: HttpRequest, comment_id: int, action: Callable[[], object], done: str = ""
) -> HttpResponse:
    """`respond_with_block` for an action on one comment, wherever it is (a video or a story)."""
    video_id, story_id = _target_of_comment(comment_id)
    return respond_with_block(request, video_id, action, done, story_id=story_id)


@login_required
@require_POST
def comment_create(request: HttpRequest, video_id: int) -> HttpResponse:
    return respond_with_block(
        request,
        video_id,
        lambda: services.comment_create(
            user=request.user,
            video_id=video_id,
            body=request.POST.get("body", ""),
            parent_id=int_or_none(request.POST.get("parent")),
        ),
    )


@login_required
@require_POST
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    return respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_edit(
            user=request.user, comment_id=comment_id, body=request.POST.get("body", "")
        ),
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    return respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_delete(user=request.user, comment_id=comment_id),
    )


@login_required
@require_POST
def comment_remove(request: HttpRequest, comment_id: int) -> HttpResponse:
    return respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_remove(
            user=request.user, comment_id=comment_id, reason=request.POST.get("reason", "")
        ),
    )


@login_required
@require_POST
def comment_approve(request: HttpRequest, comment_id: int) -> HttpResponse:
    response = respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_approve(user=request.user, comment_id=comment_id),
    )
    if request.POST.get("from") == "held":
        return redirect("community:held")
    return response


@login_required
@require_POST
def comment_settings(request: HttpRequest, video_id: int) -> HttpResponse:
    return respond_with_block(
        request,
        video_id,
        lambda: services.comment_settings_set(
            user=request.user, video_id=video_id, mode=request.POST.get("mode", "")
        ),
        done=_("Comment settings saved."),
    )


@login_required
@require_POST
def story_comment_create(request: HttpRequest, story_id: int) -> HttpResponse:
    """Comment on a story (or reply): same rules and block as a video's comments."""
    return respond_with_block(
        request,
        None,
        lambda: services.comment_create(
            user=request.user,
            story_id=story_id,
            body=request.POST.get("body", ""),
            parent_id=int_or_none(request.POST.get("parent")),
        ),
        story_id=story_id,
    )


def comment_thread(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The "show more" page: one comment with two levels of its replies."""
    video_id, story_id = _target_of_comment(comment_id)
    if story_id is not None:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            raise Http404
        block = selectors.comment_block(story=story, user=request.user, focus_id=comment_id)
        if block.focus is None:
            raise Http404
        return render(request, "community/thread.html", {"cblock": block, "title": story.title})
    if video_id is None:  # a comment is on a video or a story; neither means it is gone
        raise Http404
    try:
        video = video_for_viewer(video_id=video_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if video.state != VideoState.PUBLISHED:
        raise Http404
    block = selectors.comment_block(video=video, user=request.user, focus_id=comment_id)
    if block.focus is None:
        raise Http404
    return render(request, "community/thread.html", {"cblock": block, "title": video.title})


@login_required
def held(request: HttpRequest) -> HttpResponse:
    """Held comments are items of the one moderation queue: this old address shows them there."""
    return redirect(f"{reverse('moderation-queue')}?kind=comment")
