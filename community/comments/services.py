"""Writes on comments: post, edit, delete, remove, approve, and a video's comment settings.

Each service owns its transaction and raises `ApplicationError`s with a message for the person.
Who is told about what is decided in `community.notifications.notify`, called from here.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.common import published_video
from community.models import (
    Comment,
    CommentAction,
    CommentMode,
    CommentSettings,
    CommentState,
    Story,
)
from community.notifications import notify
from fieldcast.accounts.guards import has_permission, require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points.services import activity_record, points_award
from fieldcast.videos.models import Video
from fieldcast.videos.selectors import video_for_viewer
from moderation.terms import find_terms, term_lists

COMMENT_MAX_LENGTH: int = getattr(settings, "COMMUNITY_COMMENT_MAX_LENGTH", 5000)
COMMENT_EDIT_SECONDS: int = getattr(settings, "COMMUNITY_COMMENT_EDIT_SECONDS", 15 * 60)
# At most COMMENT_RATE_COUNT comments per person in any COMMENT_RATE_SECONDS.
COMMENT_RATE_COUNT: int = getattr(settings, "COMMUNITY_COMMENT_RATE_COUNT", 5)
COMMENT_RATE_SECONDS: int = getattr(settings, "COMMUNITY_COMMENT_RATE_SECONDS", 60)
MAX_DEPTH = 20


def _clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        message = _("Write something first.")
        raise ValidationFailed(message, code=ErrorCode.EMPTY, fields={"body": [message]})
    if len(text) > COMMENT_MAX_LENGTH:
        message = _("A comment can be at most %(limit)d characters; this one has %(length)d.") % {
            "limit": COMMENT_MAX_LENGTH,
            "length": len(text),
        }
        raise ValidationFailed(message, code=ErrorCode.TOO_LONG, fields={"body": [message]})
    return text


def comment_mode(*, video: Video) -> str:
    row = CommentSettings.objects.filter(video=video).first()
    return row.mode if row is not None else CommentMode.OPEN


def _check_rate(author: User) -> None:
    since = timezone.now() - timedelta(seconds=COMMENT_RATE_SECONDS)
    recent = Comment.objects.filter(author=author, created_at__gte=since).count()
    if recent >= COMMENT_RATE_COUNT:
        raise RateLimited(
            _("You are commenting too fast. Please wait a minute and try again."),
            code=ErrorCode.RATE_LIMITED,
        )


def _award_comment_points(comment: Comment) -> None:
    points_award(user=comment.author, rule="comment", obj=comment, key=f"comment:{comment.pk}")


def comment_create(
    *,
    user: User | AnonymousUser,
    video_id: int | None = None,
    body: str,
    parent_id: int | None = None,
    story_id: int | None = None,
) -> Comment:
    """Post a comment (or a reply) on a published video, or on a story (`story_id`).

    Refused on a video this person cannot see or that is not published (NotFound), on a missing
    story, when comments are closed, when too long or empty, or when the author posts too fast.
    Held for review when the video needs approval or the text matches the moderation term lists;
    otherwise visible at once, paying the "comment" points rule and notifying the video's owner
    and anyone @mentioned. Stories take comments under the same rules (always open).
    """
    author = require_user(user)
    if (video_id is None) == (story_id is None):
        raise ValidationFailed(_("Comment on one video or one story."), code=ErrorCode.NO_TARGET)
    text = _clean_body(body)
    with transaction.atomic():
        owner_id: int | None = None
        target: dict[str, Video | Story]
        if video_id is not None:
            video = published_video(video_id=video_id, user=author)
            mode = comment_mode(video=video)
            owner_id = video.owner_id
            target = {"video": video}
        else:
            story = Story.objects.filter(pk=story_id or 0).first()
            if story is None:
                raise NotFound(_("We could not find that story."))
            mode = CommentMode.OPEN
            target = {"story": story}
        editor = has_permission(author, "moderate_content")
        if mode == CommentMode.CLOSED and not editor:
            raise PermissionDenied(
                _("Comments are closed on this video."), code=ErrorCode.COMMENTS_CLOSED
            )
        parent = None
        if parent_id is not None:
            parent = (
                Comment.objects.filter(pk=parent_id, state=CommentState.VISIBLE, **target)
                .select_related("root")
                .first()
            )
            if parent is None:
                message = _("The comment you are replying to is no longer there.")
                raise NotFound(message, fields={"parent": [message]})
            if parent.depth >= MAX_DEPTH:
                # The path column has room for MAX_DEPTH levels: deeper replies join the parent's.
                parent = Comment.objects.select_related("root").get(pk=parent.parent_id or 0)
        _check_rate(author)
        matches = [m.as_dict() for m in find_terms(fields={"body": text}, lists=term_lists())]
        held = bool(matches) or (
            mode == CommentMode.APPROVAL and not editor and author.pk != owner_id
        )
        comment = Comment.objects.create(
            **target,
            author=author,
            parent=parent,
            root=parent.root if parent is not None else None,
            depth=parent.depth + 1 if parent is not None else 0,
            body=text,
            state=CommentState.HELD if held else CommentState.VISIBLE,
            held_terms=matches,
        )
        comment.path = (parent.path if parent is not None else "") + f"{comment.pk:010d}/"
        if parent is None:
            comment.root = comment
        comment.save(update_fields=["root", "path"])
        activity_record(user=author, kind="comment", obj=comment)
        if not held:
            _award_comment_points(comment)
            notify.notify_comment_posted(comment=comment)
    return comment


def _locked_comment(comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_for_update()
        .filter(pk=comment_id)
        .exclude(state__in=[CommentState.DELETED, CommentState.REMOVED])
        .first()
    )
    if comment is None:
        raise NotFound(_("We could not find that comment."))
    return comment


@transaction.atomic
def comment_edit(*, user: User | AnonymousUser, comment_id: int, body: str) -> Comment:
    """The author corrects their comment within the edit window; the old text is logged."""
    author = require_user(user)
    text = _clean_body(body)
    comment = _locked_comment(comment_id)
    if comment.author_id != author.pk:
        raise PermissionDenied(_("You can only edit your own comments."))
    if timezone.now() - comment.created_at > timedelta(seconds=COMMENT_EDIT_SECONDS):
        raise Conflict(
            _("Comments can be edited for %(minutes)d minutes after posting.")
            % {"minutes": COMMENT_EDIT_SECONDS // 60},
            code=ErrorCode.EDIT_WINDOW_CLOSED,
        )
    matches = [m.as_dict() for m in find_terms(fields={"body": text}, lists=term_lists())]
    CommentAction.objects.create(
        comment=comment, actor=author, action="edit", body_before=comment.body
    )
    comment.body = text
    comment.edited_at = timezone.now()
    fields = ["body", "edited_at"]
    if matches:
        comment.state = CommentState.HELD
        comment.held_terms = matches
        fields += ["state", "held_terms"]
    comment.save(update_fields=fields)
    return comment


@transaction.atomic
def comment_delete(*, user: User | AnonymousUser, comment_id: int) -> Comment:
    """The author takes their comment down; replies stay under a "deleted" placeholder."""
    author = require_user(user)
    comment = _locked_comment(comment_id)
    if comment.author_id != author.pk:
        raise PermissionDenied(_("You can only delete your own comments."))
    CommentAction.objects.create(
        comment=comment, actor=author, action="delete", body_before=comment.body
    )
    comment.state = CommentState.DELETED
    comment.body = ""
    comment.save(update_fields=["state", "body"])
    return comment


@transaction.atomic
def comment_remove(*, user: User | AnonymousUser, comment_id: int, reason: str = "") -> Comment:
    """An editor removes a comment; who, why and the text go to the append-only comment log."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can remove comments.")
    )
    comment = _locked_comment(comment_id)
    CommentAction.objects.create(
        comment=comment,
        actor=editor,
        action="remove",
        reason=(reason or "").strip()[:1000],
        body_before=comment.body,
    )
    comment.state = CommentState.REMOVED
    comment.save(update_fields=["state"])
    return comment


@transaction.atomic
def comment_approve(*, user: User | AnonymousUser, comment_id: int) -> Comment:
    """An editor lets a held comment through: it shows, pays points and notifies."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can approve comments.")
    )
    comment = _locked_comment(comment_id)
    if comment.state != CommentState.HELD:
        raise Conflict(_("This comment is not waiting for review."), code=ErrorCode.NOT_HELD)
    CommentAction.objects.create(comment=comment, actor=editor, action="approve")
    comment.state = CommentState.VISIBLE
    comment.save(update_fields=["state"])
    _award_comment_points(comment)
    notify.notify_comment_posted(comment=comment)
    return comment


@transaction.atomic
def comment_settings_set(
    *, user: User | AnonymousUser, video_id: int, mode: str
) -> CommentSettings:
    """The video's owner or an editor opens, gates or closes its comments."""
    person = require_user(user)
    if mode not in CommentMode.values:
        message = _("Choose open, approval or closed.")
        raise ValidationFailed(message, fields={"mode": [message]})
    video = video_for_viewer(video_id=video_id, user=person)
    if video.owner_id != person.pk and not has_permission(person, "moderate_content"):
        raise PermissionDenied(_("Only the reporter and editors can change comment settings."))
    row, _created = CommentSettings.objects.update_or_create(
        video=video, defaults={"mode": mode, "updated_by": person}
    )
    return row
