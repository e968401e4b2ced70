"""Like buttons of the comment block (HTMX, or a form post with a redirect back)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from community.comments.views import respond_on_comment, respond_with_block
from community.likes import services


@login_required
@require_POST
def video_like(request: HttpRequest, video_id: int) -> HttpResponse:
    return respond_with_block(
        request, video_id, lambda: services.video_like(user=request.user, video_id=video_id)
    )


@login_required
@require_POST
def video_unlike(request: HttpRequest, video_id: int) -> HttpResponse:
    return respond_with_block(
        request, video_id, lambda: services.video_unlike(user=request.user, video_id=video_id)
    )


@login_required
@require_POST
def comment_like(request: HttpRequest, comment_id: int) -> HttpResponse:
    return respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_like(user=request.user, comment_id=comment_id),
    )


@login_required
@require_POST
def comment_unlike(request: HttpRequest, comment_id: int) -> HttpResponse:
    return respond_on_comment(
        request,
        comment_id,
        lambda: services.comment_unlike(user=request.user, comment_id=comment_id),
    )
