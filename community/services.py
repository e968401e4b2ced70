"""Every write of the community app: comments, likes, follows, views, notification settings.

Each service owns its transaction and raises `ApplicationError`s with a message for the person.
Who is told about what is decided in `community.notify`, called from here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community import notify
from community.models import (
    Assignment,
    AssignmentAcceptance,
    AssignmentState,
    AssignmentUse,
    Comment,
    CommentAction,
    CommentLike,
    CommentMode,
    CommentSettings,
    CommentState,
    Follow,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationMute,
    Story,
    StoryFollow,
    StoryItem,
    StoryItemKind,
    Urgency,
    VideoLike,
    ViewMark,
)
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points.services import activity_record, points_award
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_for_viewer
from moderation.terms import find_terms, term_lists

COMMENT_MAX_LENGTH: int = getattr(settings, "COMMUNITY_COMMENT_MAX_LENGTH", 5000)
COMMENT_EDIT_SECONDS: int = getattr(settings, "COMMUNITY_COMMENT_EDIT_SECONDS", 15 * 60)
# At most COMMENT_RATE_COUNT comments per person in any COMMENT_RATE_SECONDS.
COMMENT_RATE_COUNT: int = getattr(settings, "COMMUNITY_COMMENT_RATE_COUNT", 5)
COMMENT_RATE_SECONDS: int = getattr(settings, "COMMUNITY_COMMENT_RATE_SECONDS", 60)
MAX_DEPTH = 20
VIEW_WINDOW_SECONDS: int = getattr(settings, "COMMUNITY_VIEW_WINDOW_SECONDS", 30 * 60)


def _signed_in(user: User | AnonymousUser) -> User:
    if not user.is_authenticated:
        raise NotAuthenticated(_("Please log in first."))
    return user  # type: ignore[return-value]


def is_editor(user: User | AnonymousUser) -> bool:
    return roles.has_role_permission(user, "moderate_content")  # type: ignore[arg-type]


def published_video(*, video_id: int, user: User | AnonymousUser) -> Video:
    """The video if this person may see it AND it is published: nobody talks about drafts."""
    video = video_for_viewer(video_id=video_id, user=user)
    if video.state != VideoState.PUBLISHED:
        raise NotFound(_("We could not find that video."))
    return video


def _clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        message = _("Write something first.")
        raise ValidationFailed(message, code="empty", fields={"body": [message]})
    if len(text) > COMMENT_MAX_LENGTH:
        message = _("A comment can be at most %(limit)d characters; this one has %(length)d.") % {
            "limit": COMMENT_MAX_LENGTH,
            "length": len(text),
        }
        raise ValidationFailed(message, code="too_long", fields={"body": [message]})
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
            code="rate_limited",
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
    author = _signed_in(user)
    if (video_id is None) == (story_id is None):
        raise ValidationFailed(_("Comment on one video or one story."), code="no_target")
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
        editor = is_editor(author)
        if mode == CommentMode.CLOSED and not editor:
            raise PermissionDenied(_("Comments are closed on this video."), code="comments_closed")
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
    author = _signed_in(user)
    text = _clean_body(body)
    comment = _locked_comment(comment_id)
    if comment.author_id != author.pk:
        raise PermissionDenied(_("You can only edit your own comments."))
    if timezone.now() - comment.created_at > timedelta(seconds=COMMENT_EDIT_SECONDS):
        raise Conflict(
            _("Comments can be edited for %(minutes)d minutes after posting.")
            % {"minutes": COMMENT_EDIT_SECONDS // 60},
            code="edit_window_closed",
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
    author = _signed_in(user)
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
    editor = _signed_in(user)
    if not is_editor(editor):
        raise PermissionDenied(_("Only editors can remove comments."))
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
    editor = _signed_in(user)
    if not is_editor(editor):
        raise PermissionDenied(_("Only editors can approve comments."))
    comment = _locked_comment(comment_id)
    if comment.state != CommentState.HELD:
        raise Conflict(_("This comment is not waiting for review."), code="not_held")
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
    person = _signed_in(user)
    if mode not in CommentMode.values:
        message = _("Choose open, approval or closed.")
        raise ValidationFailed(message, fields={"mode": [message]})
    video = video_for_viewer(video_id=video_id, user=person)
    if video.owner_id != person.pk and not is_editor(person):
        raise PermissionDenied(_("Only the reporter and editors can change comment settings."))
    row, _created = CommentSettings.objects.update_or_create(
        video=video, defaults={"mode": mode, "updated_by": person}
    )
    return row


# --- Likes ------------------------------------------------------------------------------------


def video_like(*, user: User | AnonymousUser, video_id: int) -> VideoLike:
    """Like a published video once; pays the owner "like_received" once per liker and video."""
    liker = _signed_in(user)
    try:
        with transaction.atomic():
            video = published_video(video_id=video_id, user=liker)
            like = VideoLike.objects.create(user=liker, video=video)
            activity_record(user=liker, kind="like", obj=video)
            if video.owner_id != liker.pk:
                points_award(
                    user=video.owner,
                    rule="like_received",
                    obj=video,
                    key=f"like:video:{video.pk}:{liker.pk}",
                )
                notify.notify_video_liked(video=video, liker=liker)
    except IntegrityError as exc:
        raise Conflict(_("You already like this video."), code="already_liked") from exc
    return like


@transaction.atomic
def video_unlike(*, user: User | AnonymousUser, video_id: int) -> None:
    liker = _signed_in(user)
    deleted, _rows = VideoLike.objects.filter(user=liker, video_id=video_id).delete()
    if not deleted:
        raise NotFound(_("You do not like this video."), code="not_liked")


def comment_like(*, user: User | AnonymousUser, comment_id: int) -> CommentLike:
    """Like a visible comment once; its author gets "like_received" points once per liker."""
    liker = _signed_in(user)
    try:
        with transaction.atomic():
            comment = (
                Comment.objects.select_related("author")
                .filter(pk=comment_id, state=CommentState.VISIBLE)
                .first()
            )
            if comment is None:
                raise NotFound(_("We could not find that comment."))
            if comment.video_id is not None:  # a story's comments are public with the story
                published_video(video_id=comment.video_id, user=liker)
            like = CommentLike.objects.create(user=liker, comment=comment)
            activity_record(user=liker, kind="like", obj=comment)
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
            if comment.author_id != liker.pk:
                points_award(
                    user=comment.author,
                    rule="like_received",
                    obj=comment,
                    key=f"like:comment:{comment.pk}:{liker.pk}",
                )
    except IntegrityError as exc:
        raise Conflict(_("You already like this comment."), code="already_liked") from exc
    return like


@transaction.atomic
def comment_unlike(*, user: User | AnonymousUser, comment_id: int) -> None:
    liker = _signed_in(user)
    deleted, _rows = CommentLike.objects.filter(user=liker, comment_id=comment_id).delete()
    if not deleted:
        raise NotFound(_("You do not like this comment."), code="not_liked")
    Comment.objects.filter(pk=comment_id).update(like_count=F("like_count") - 1)


# --- Follows ----------------------------------------------------------------------------------


def follow_create(*, user: User | AnonymousUser, reporter_id: int) -> Follow:
    """Follow a reporter (anyone who can upload); following yourself is refused."""
    follower = _signed_in(user)
    if follower.pk == reporter_id:
        message = _("You cannot follow yourself.")
        raise ValidationFailed(message, code="self_follow", fields={"reporter": [message]})
    reporter = User.objects.filter(pk=reporter_id, is_active=True).first()
    if reporter is None or not roles.has_role_permission(reporter, "upload_video"):
        raise NotFound(_("We could not find that reporter."))
    try:
        with transaction.atomic():
            return Follow.objects.create(follower=follower, reporter=reporter)
    except IntegrityError as exc:
        raise Conflict(_("You already follow this reporter."), code="already_following") from exc


@transaction.atomic
def follow_delete(*, user: User | AnonymousUser, reporter_id: int) -> None:
    follower = _signed_in(user)
    deleted, _rows = Follow.objects.filter(follower=follower, reporter_id=reporter_id).delete()
    if not deleted:
        raise NotFound(_("You do not follow this reporter."), code="not_following")


# --- Views ------------------------------------------------------------------------------------


def view_record(*, video: Video, viewer: str, now: float | None = None) -> bool:
    """Count a view of a published video once per viewer (user or session) per window.

    One insert that ignores a duplicate, then an F() increment only when the insert landed:
    no lock, no read-modify-write, so it never holds up the page. Returns True when counted.
    """
    if video.state != VideoState.PUBLISHED or not viewer:
        return False
    moment = now if now is not None else timezone.now().timestamp()
    window = int(moment // VIEW_WINDOW_SECONDS)
    try:
        with transaction.atomic():
            ViewMark.objects.create(video=video, viewer=viewer[:64], window=window)
    except IntegrityError:
        return False  # already counted in this window
    Video.objects.filter(pk=video.pk).update(view_count=F("view_count") + 1)
    signed_in = viewer[:1] == "u" and viewer[1:].isdigit()
    activity_record(user=int(viewer[1:]) if signed_in else None, kind="view", obj=video)
    return True


# --- Notifications ----------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, user: User | AnonymousUser, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; the bell updates live."""
    person = _signed_in(user)
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    transaction.on_commit(lambda: notify.push_unread(user_id=person.pk))
    return changed


@transaction.atomic
def notification_preferences_set(
    *,
    user: User | AnonymousUser,
    enabled: dict[str, bool],
    channel: str = NotificationChannel.APP,
) -> set[str]:
    """Turn kinds on or off in one channel (the app, or the email digest); returns the kinds
    now off in that channel."""
    person = _signed_in(user)
    unknown = set(enabled) - set(NotificationKind.values)
    if unknown:
        message = _("Unknown notification kind.")
        raise ValidationFailed(message, fields={"kind": [message]})
    if channel not in NotificationChannel.values:
        message = _("Unknown notification channel.")
        raise ValidationFailed(message, fields={"channel": [message]})
    for kind, on in enabled.items():
        if on:
            NotificationMute.objects.filter(user=person, kind=kind, channel=channel).delete()
        else:
            NotificationMute.objects.get_or_create(user=person, kind=kind, channel=channel)
    return set(
        NotificationMute.objects.filter(user=person, channel=channel).values_list("kind", flat=True)
    )


# --- Assignments ------------------------------------------------------------------------------

ASSIGNMENT_MAX_BONUS: int = getattr(settings, "COMMUNITY_ASSIGNMENT_MAX_BONUS", 1000)


def _editor(user: User | AnonymousUser, message: str) -> User:
    person = _signed_in(user)
    if not is_editor(person):
        raise PermissionDenied(message)
    return person


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        message = _("This field is required.")
        raise ValidationFailed(message, fields={field: [message]})
    if len(text) > limit:
        message = _("At most %(limit)d characters (this is %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
        raise ValidationFailed(message, code="too_long", fields={field: [message]})
    return text


@transaction.atomic
def assignment_publish(
    *,
    user: User | AnonymousUser,
    title: str,
    brief: str,
    city: str,
    starts_at: datetime,
    ends_at: datetime,
    urgency: str = Urgency.NORMAL,
    points_bonus: int = 0,
    story_id: int | None = None,
) -> Assignment:
    """An editor publishes a call for footage; reporters see it at once (near them first) and
    reporters in its city are notified."""
    editor = _editor(user, _("Only editors can publish assignments."))
    fields = {
        "title": _text(title, field="title", limit=200),
        "brief": _text(brief, field="brief", limit=5000),
        "city": _text(city, field="city", limit=80),
    }
    if ends_at <= starts_at:
        message = _("The end must be after the start.")
        raise ValidationFailed(message, fields={"ends_at": [message]})
    if urgency not in Urgency.values:
        message = _("Choose an urgency from the list.")
        raise ValidationFailed(message, fields={"urgency": [message]})
    if isinstance(points_bonus, bool) or not 0 <= points_bonus <= ASSIGNMENT_MAX_BONUS:
        message = _("A bonus is between 0 and %(max)d points.") % {"max": ASSIGNMENT_MAX_BONUS}
        raise ValidationFailed(message, fields={"points_bonus": [message]})
    story = None
    if story_id is not None:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            message = _("We could not find that story.")
            raise ValidationFailed(message, fields={"story_id": [message]})
    assignment = Assignment.objects.create(
        **fields,
        starts_at=starts_at,
        ends_at=ends_at,
        urgency=urgency,
        points_bonus=points_bonus,
        created_by=editor,
        story=story,
    )
    notify.notify_assignment_published(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_close(*, user: User | AnonymousUser, assignment_id: int) -> Assignment:
    """An editor closes the call: it leaves the open list; contributions can still be marked."""
    _editor(user, _("Only editors can close assignments."))
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("We could not find that assignment."))
    if assignment.state == AssignmentState.CLOSED:
        raise Conflict(_("This assignment is already closed."), code="already_closed")
    assignment.state = AssignmentState.CLOSED
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["state", "closed_at"])
    return assignment


def assignment_mark_used(
    *, user: User | AnonymousUser, assignment_id: int, video_id: int
) -> AssignmentUse:
    """An editor marks a published contribution as used: its reporter earns the
    "assignment_contribution" points plus the assignment's bonus, once."""
    editor = _editor(user, _("Only editors can mark contributions."))
    try:
        with transaction.atomic():
            assignment = Assignment.objects.filter(pk=assignment_id).first()
            if assignment is None:
                raise NotFound(_("We could not find that assignment."))
            video = (
                Video.objects.select_related("owner")
                .filter(pk=video_id, state=VideoState.PUBLISHED, assignment_ref=assignment.ref)
                .first()
            )
            if video is None:
                raise NotFound(_("That video is not a published contribution to this assignment."))
            use = AssignmentUse.objects.create(assignment=assignment, video=video, marked_by=editor)
            if assignment.story_id is not None:
                _story_place_video(story_id=assignment.story_id, video=video, editor=editor)
            points_award(
                user=video.owner,
                rule="assignment_contribution",
                obj=video,
                key=f"assignment:{assignment.pk}:video:{video.pk}",
                bonus=assignment.points_bonus,
                assignment_ref=assignment.ref,
            )
    except IntegrityError as exc:
        raise Conflict(_("This video is already marked as used."), code="already_used") from exc
    return use


# --- Stories ----------------------------------------------------------------------------------


@transaction.atomic
def story_create(*, user: User | AnonymousUser, title: str, summary: str = "") -> Story:
    """An editor opens a story (a timeline for one event)."""
    editor = _editor(user, _("Only editors can create stories."))
    return Story.objects.create(
        title=_text(title, field="title", limit=200),
        summary=_text(summary, field="summary", limit=5000, required=False),
        created_by=editor,
    )


def _story(story_id: int) -> Story:
    story = Story.objects.select_for_update().filter(pk=story_id).first()
    if story is None:
        raise NotFound(_("We could not find that story."))
    return story


def story_add_video(*, user: User | AnonymousUser, story_id: int, video_id: int) -> StoryItem:
    """An editor places a published video on the timeline, at the time it was published."""
    editor = _editor(user, _("Only editors can change stories."))
    try:
        with transaction.atomic():
            story = _story(story_id)
            video = Video.objects.filter(pk=video_id, state=VideoState.PUBLISHED).first()
            if video is None:
                message = _("Only published videos can join a story.")
                raise NotFound(message, fields={"video": [message]})
            item = StoryItem.objects.create(
                story=story,
                kind=StoryItemKind.VIDEO,
                video=video,
                happened_at=video.published_at or timezone.now(),
                added_by=editor,
            )
            story.save(update_fields=["updated_at"])
            notify.notify_story_updated(story=story, editor=editor, video=video)
    except IntegrityError as exc:
        raise Conflict(_("This video is already in the story."), code="already_in_story") from exc
    return item


@transaction.atomic
def story_add_update(
    *, user: User | AnonymousUser, story_id: int, text: str, happened_at: datetime | None = None
) -> StoryItem:
    """An editor writes a text update on the timeline (now, or at a given time)."""
    editor = _editor(user, _("Only editors can change stories."))
    body = _text(text, field="text", limit=COMMENT_MAX_LENGTH)
    story = _story(story_id)
    item = StoryItem.objects.create(
        story=story,
        kind=StoryItemKind.UPDATE,
        text=body,
        happened_at=happened_at or timezone.now(),
        added_by=editor,
    )
    story.save(update_fields=["updated_at"])
    notify.notify_story_updated(story=story, editor=editor, video=None)
    return item


def story_follow(*, user: User | AnonymousUser, story_id: int) -> StoryFollow:
    person = _signed_in(user)
    if not Story.objects.filter(pk=story_id).exists():
        raise NotFound(_("We could not find that story."))
    try:
        with transaction.atomic():
            return StoryFollow.objects.create(user=person, story_id=story_id)
    except IntegrityError as exc:
        raise Conflict(_("You already follow this story."), code="already_following") from exc


@transaction.atomic
def story_unfollow(*, user: User | AnonymousUser, story_id: int) -> None:
    person = _signed_in(user)
    deleted, _rows = StoryFollow.objects.filter(user=person, story_id=story_id).delete()
    if not deleted:
        raise NotFound(_("You do not follow this story."), code="not_following")


# --- Assignments: reporters accept them; used footage joins the assignment's story ------------


def _story_place_video(*, story_id: int, video: Video, editor: User) -> StoryItem | None:
    """Put a used contribution on the story's timeline (once) and tell the story's followers."""
    story = _story(story_id)
    if StoryItem.objects.filter(story=story, video=video).exists():
        return None
    item = StoryItem.objects.create(
        story=story,
        kind=StoryItemKind.VIDEO,
        video=video,
        happened_at=video.published_at or timezone.now(),
        added_by=editor,
    )
    story.save(update_fields=["updated_at"])
    notify.notify_story_updated(story=story, editor=editor, video=video)
    return item


def assignment_accept(*, user: User | AnonymousUser, assignment_id: int) -> AssignmentAcceptance:
    """A reporter takes on an open assignment: it goes on their list of accepted calls."""
    reporter = _signed_in(user)
    if not (
        roles.has_role_permission(reporter, "upload_video")
        or roles.has_role_permission(reporter, "go_live")
    ):
        raise PermissionDenied(_("Only reporters can accept assignments."))
    try:
        with transaction.atomic():
            assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
            if assignment is None:
                raise NotFound(_("We could not find that assignment."))
            if assignment.state != AssignmentState.OPEN:
                raise Conflict(_("This assignment is closed."), code="assignment_closed")
            if assignment.ends_at <= timezone.now():
                raise Conflict(_("This assignment has ended."), code="assignment_ended")
            return AssignmentAcceptance.objects.create(assignment=assignment, reporter=reporter)
    except IntegrityError as exc:
        raise Conflict(
            _("You have already accepted this assignment."), code="already_accepted"
        ) from exc


@transaction.atomic
def assignment_withdraw(*, user: User | AnonymousUser, assignment_id: int) -> None:
    """A reporter takes an assignment off their list (footage already sent stays)."""
    reporter = _signed_in(user)
    deleted, _rows = AssignmentAcceptance.objects.filter(
        reporter=reporter, assignment_id=assignment_id
    ).delete()
    if not deleted:
        raise NotFound(_("You have not accepted this assignment."), code="not_accepted")
