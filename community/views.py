"""Community pages and the HTMX endpoints of the watch page's comment block.

Thin: parse, call a service, then answer HTMX with the re-rendered block (refusals shown inside
it) or a plain form post with a redirect back and a page message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import digest, selectors, services
from community.forms import AssignmentForm
from community.models import Comment, NotificationKind, Story
from fieldcast.core.errors import ApplicationError, NotFound
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_for_viewer


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


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
        user=request.user,  # type: ignore[arg-type]
        focus_id=focus_id,
    )
    html = render_to_string(
        "community/_block.html", {"cblock": block, "error": error}, request=request
    )
    return HttpResponse(html)


def _respond(
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
    focus_id = _int(request.POST.get("focus"))
    if request.headers.get("HX-Request"):
        if story_id is not None:
            story = Story.objects.filter(pk=story_id).first()
            if story is None:
                raise Http404(_("We could not find that story."))
            return _block_response(request, None, focus_id=focus_id, error=error, story=story)
        try:
            video = video_for_viewer(video_id=video_id or 0, user=request.user)  # type: ignore[arg-type]
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


def _respond_comment(
    request: HttpRequest, comment_id: int, action: Callable[[], object], done: str = ""
) -> HttpResponse:
    """`_respond` for an action on one comment, wherever it is (a video or a story)."""
    video_id, story_id = _target_of_comment(comment_id)
    return _respond(request, video_id, action, done, story_id=story_id)


def _video_of_comment(comment_id: int) -> int:
    video_id, _story_id = _target_of_comment(comment_id)
    if video_id is None:
        raise Http404(_("We could not find that comment."))
    return video_id


@login_required
@require_POST
def comment_create(request: HttpRequest, video_id: int) -> HttpResponse:
    return _respond(
        request,
        video_id,
        lambda: services.comment_create(
            user=request.user,
            video_id=video_id,
            body=request.POST.get("body", ""),
            parent_id=_int(request.POST.get("parent")),
        ),
    )


@login_required
@require_POST
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _respond_comment(
        request,
        comment_id,
        lambda: services.comment_edit(
            user=request.user, comment_id=comment_id, body=request.POST.get("body", "")
        ),
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _respond_comment(
        request,
        comment_id,
        lambda: services.comment_delete(user=request.user, comment_id=comment_id),
    )


@login_required
@require_POST
def comment_remove(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _respond_comment(
        request,
        comment_id,
        lambda: services.comment_remove(
            user=request.user, comment_id=comment_id, reason=request.POST.get("reason", "")
        ),
    )


@login_required
@require_POST
def comment_approve(request: HttpRequest, comment_id: int) -> HttpResponse:
    response = _respond_comment(
        request,
        comment_id,
        lambda: services.comment_approve(user=request.user, comment_id=comment_id),
    )
    if request.POST.get("from") == "held":
        return redirect("community:held")
    return response


@login_required
@require_POST
def comment_like(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _respond_comment(
        request,
        comment_id,
        lambda: services.comment_like(user=request.user, comment_id=comment_id),
    )


@login_required
@require_POST
def comment_unlike(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _respond_comment(
        request,
        comment_id,
        lambda: services.comment_unlike(user=request.user, comment_id=comment_id),
    )


@login_required
@require_POST
def video_like(request: HttpRequest, video_id: int) -> HttpResponse:
    return _respond(
        request, video_id, lambda: services.video_like(user=request.user, video_id=video_id)
    )


@login_required
@require_POST
def video_unlike(request: HttpRequest, video_id: int) -> HttpResponse:
    return _respond(
        request, video_id, lambda: services.video_unlike(user=request.user, video_id=video_id)
    )


@login_required
@require_POST
def comment_settings(request: HttpRequest, video_id: int) -> HttpResponse:
    return _respond(
        request,
        video_id,
        lambda: services.comment_settings_set(
            user=request.user, video_id=video_id, mode=request.POST.get("mode", "")
        ),
        done=_("Comment settings saved."),
    )


@login_required
@require_POST
def follow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    video_id = _int(request.POST.get("video"))
    action = lambda: services.follow_create(user=request.user, reporter_id=reporter_id)  # noqa: E731
    if video_id is not None:
        return _respond(request, video_id, action)
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community:notifications")


@login_required
@require_POST
def unfollow(request: HttpRequest, reporter_id: int) -> HttpResponse:
    video_id = _int(request.POST.get("video"))
    action = lambda: services.follow_delete(user=request.user, reporter_id=reporter_id)  # noqa: E731
    if video_id is not None:
        return _respond(request, video_id, action)
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community:notifications")


def comment_thread(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The "show more" page: one comment with two levels of its replies."""
    video_id, story_id = _target_of_comment(comment_id)
    if story_id is not None:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            raise Http404
        block = selectors.comment_block(story=story, user=request.user, focus_id=comment_id)  # type: ignore[arg-type]
        if block.focus is None:
            raise Http404
        return render(request, "community/thread.html", {"cblock": block, "title": story.title})
    try:
        video = video_for_viewer(video_id=video_id, user=request.user)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if video.state != VideoState.PUBLISHED:
        raise Http404
    block = selectors.comment_block(video=video, user=request.user, focus_id=comment_id)  # type: ignore[arg-type]
    if block.focus is None:
        raise Http404
    return render(request, "community/thread.html", {"cblock": block, "title": video.title})


@login_required
def held(request: HttpRequest) -> HttpResponse:
    """Held comments are items of the one moderation queue: this old address shows them there."""
    return redirect(f"{reverse('moderation-queue')}?kind=comment")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The person's notifications (newest first) and their per-kind preferences."""
    if request.method == "POST":
        if request.POST.get("action") == "preferences":
            chosen = set(request.POST.getlist("kinds"))
            emailed = set(request.POST.getlist("email_kinds"))
            with_email = "email" in request.POST.get("channels", "").split()
            try:
                digest.notification_settings_save(
                    user=request.user,
                    in_app={kind: kind in chosen for kind in NotificationKind.values},
                    email={kind: kind in emailed for kind in NotificationKind.values}
                    if with_email
                    else None,
                    digest=request.POST.get("digest") if with_email else None,
                    language=request.POST.get("digest_language", ""),
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("community:notifications")
            messages.success(request, _("Notification settings saved."))
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(back)
        else:
            services.notifications_mark_read(user=request.user)
        return redirect("community:notifications")
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(  # type: ignore[arg-type]
        request.GET.get("page")
    )
    return render(request, "community/notifications.html", {"page": page})


# --- Assignments ------------------------------------------------------------------------------


def assignments(request: HttpRequest) -> HttpResponse:
    """Open calls for footage, the visitor's city first; editors also see recently closed ones."""
    city = request.user.city if request.user.is_authenticated else ""  # type: ignore[union-attr]
    editor = services.is_editor(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "community/assignments.html",
        {
            "open": list(selectors.assignments_open(city=city)[:100]),
            "accepted_ids": selectors.assignment_accepted_ids(user=request.user),  # type: ignore[arg-type]
            "closed": list(selectors.assignments_closed()[:20]) if editor else [],
            "is_editor": editor,
            "city": city,
        },
    )


@login_required
def assignment_new(request: HttpRequest) -> HttpResponse:
    if not services.is_editor(request.user):  # type: ignore[arg-type]
        return render(
            request,
            "errors/403.html",
            {"message": _("Only editors can publish assignments.")},
            status=403,
        )
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_publish(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            exc.show_on(form)
        else:
            messages.success(request, _("Assignment published."))
            return redirect("community:assignment", assignment_id=assignment.pk)
    return render(request, "community/assignment_new.html", {"form": form})


def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    page = selectors.assignment_page(assignment_id=assignment_id, user=request.user)  # type: ignore[arg-type]
    if page is None:
        raise Http404(_("We could not find that assignment."))
    return render(
        request,
        "community/assignment.html",
        {
            "page": page,
            "assignment": page.assignment,
            "is_editor": services.is_editor(request.user),  # type: ignore[arg-type]
        },
    )


def _assignment_action(
    request: HttpRequest, assignment_id: int, action: Callable[[], object], done: str
) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("community:assignment", assignment_id=assignment_id)


@login_required
@require_POST
def assignment_close(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_close(user=request.user, assignment_id=assignment_id),
        _("Assignment closed."),
    )


@login_required
@require_POST
def assignment_use(request: HttpRequest, assignment_id: int, video_id: int) -> HttpResponse:
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_mark_used(
            user=request.user, assignment_id=assignment_id, video_id=video_id
        ),
        _("Marked as used; the reporter earned the points."),
    )


# --- Stories ----------------------------------------------------------------------------------


def stories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/stories.html",
        {
            "stories": list(selectors.story_list()[:100]),
            "is_editor": services.is_editor(request.user),  # type: ignore[arg-type]
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
    timeline = selectors.story_timeline(story_id=story_id, user=request.user)  # type: ignore[arg-type]
    if timeline is None:
        raise Http404(_("We could not find that story."))
    try:
        comments_page = max(1, int(request.GET.get("comments_page", "1")))
    except ValueError:
        comments_page = 1
    cblock = selectors.comment_block(
        story=timeline.story,
        user=request.user,  # type: ignore[arg-type]
        page=comments_page,
    )
    return render(
        request,
        "community/story.html",
        {
            "timeline": timeline,
            "story": timeline.story,
            "cblock": cblock,
            "is_editor": services.is_editor(request.user),  # type: ignore[arg-type]
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
    video_id = _int(request.POST.get("video"))
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


# --- Assignments a reporter accepted --------------------------------------------------------


@login_required
@require_POST
def assignment_accept(request: HttpRequest, assignment_id: int) -> HttpResponse:
    if request.POST.get("accept") == "0":
        return _assignment_action(
            request,
            assignment_id,
            lambda: services.assignment_withdraw(user=request.user, assignment_id=assignment_id),
            _("Taken off your list."),
        )
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_accept(user=request.user, assignment_id=assignment_id),
        _("Accepted: it is on your list. Upload or go live for it when you have footage."),
    )


@login_required
def assignments_mine(request: HttpRequest) -> HttpResponse:
    """The reporter's accepted assignments, open ones first, with what they sent."""
    return render(
        request,
        "community/assignments_mine.html",
        {"accepted": list(selectors.assignments_accepted(user=request.user)[:100])},  # type: ignore[arg-type]
    )


@login_required
@require_POST
def story_comment_create(request: HttpRequest, story_id: int) -> HttpResponse:
    """Comment on a story (or reply): same rules and block as a video's comments."""
    return _respond(
        request,
        None,
        lambda: services.comment_create(
            user=request.user,
            story_id=story_id,
            body=request.POST.get("body", ""),
            parent_id=_int(request.POST.get("parent")),
        ),
        story_id=story_id,
    )
