"""Reads of comments: the comment block of a video or a story (a fixed number of queries), held comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.urls import reverse

from community.models import (
    Comment,
    CommentLike,
    CommentMode,
    CommentSettings,
    CommentState,
    Follow,
    Story,
    VideoLike,
)
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.videos.models import Video

ROOTS_PER_PAGE = 20
SHOWN_LEVELS = 2  # replies shown under a comment before "show more"


@dataclass
class CommentNode:
    comment: Comment
    children: list[CommentNode] = field(default_factory=list)
    more_replies: int = 0  # replies below the shown levels

    @property
    def shown(self) -> bool:
        return self.comment.state in (CommentState.VISIBLE, CommentState.HELD)


@dataclass
class CommentBlock:
    video: Video | None  # None for a story's comments (then `story` is set)
    mode: str
    nodes: list[CommentNode]
    has_more: bool
    page: int
    video_likes: int
    likes_video: bool
    follows_owner: bool
    liked_comment_ids: set[int]
    can_moderate: bool
    focus: Comment | None = None
    story: Story | None = None

    @property
    def create_url(self) -> str:
        """Where the block's comment and reply forms post."""
        if self.story is not None:
            return reverse("community:story-comment-create", args=[self.story.pk])
        return reverse("community:comment-create", args=[self.video.pk if self.video else 0])

    @property
    def page_url(self) -> str:
        """The page that shows all of the block's comments."""
        if self.story is not None:
            return reverse("community:story", args=[self.story.pk])
        return reverse("video-watch", args=[self.video.pk if self.video else 0])


def _visible_to(user: User | AnonymousUser, can_moderate: bool) -> Q:
    if can_moderate:
        return Q()
    shown = ~Q(state=CommentState.HELD)
    if user.is_authenticated:
        shown |= Q(state=CommentState.HELD, author_id=user.pk)
    return shown


def _tree(tops: list[Comment], below: list[Comment], last_depth: int) -> list[CommentNode]:
    nodes = {c.pk: CommentNode(comment=c) for c in tops}
    roots = [nodes[c.pk] for c in tops]
    for comment in below:  # ordered by depth, then time: a parent is always placed first
        parent = nodes.get(comment.parent_id or 0)
        if parent is None:
            continue
        node = CommentNode(comment=comment)
        if comment.depth == last_depth:
            node.more_replies = getattr(comment, "reply_count", 0)
        nodes[comment.pk] = node
        parent.children.append(node)
    return roots


def comment_block(
    *,
    video: Video | None = None,
    user: User | AnonymousUser,
    page: int = 1,
    focus_id: int | None = None,
    story: Story | None = None,
) -> CommentBlock:
    """Comments of a video (or of a story) for one person: a page of top-level comments, two
    reply levels each.

    With `focus_id`, the block shows that one comment's thread instead (the "show more" view).
    Constant query count whatever the number of comments.
    """
    can_moderate = roles.has_role_permission(user, "moderate_content")
    shown = _visible_to(user, can_moderate)
    target = Q(story=story) if story is not None else Q(video=video)
    settings_row = CommentSettings.objects.filter(video=video).first() if video else None
    # The guest expert badge rides on the same join (no query per comment).
    base = Comment.objects.filter(shown, target).select_related("author__guest_expert")
    focus = None
    if focus_id is not None:
        focus = base.filter(pk=focus_id).first()
        tops = [focus] if focus is not None else []
        has_more = False
    else:
        start = (page - 1) * ROOTS_PER_PAGE
        tops = list(
            base.filter(depth=0).order_by("-created_at", "-id")[start : start + ROOTS_PER_PAGE + 1]
        )
        has_more = len(tops) > ROOTS_PER_PAGE
        tops = tops[:ROOTS_PER_PAGE]
    below: list[Comment] = []
    if tops:
        first_depth = tops[0].depth + 1
        last_depth = tops[0].depth + SHOWN_LEVELS
        scope = (
            Q(path__startswith=focus.path)
            if focus is not None
            else Q(root_id__in=[top.pk for top in tops])
        )
        below = list(
            base.filter(scope, depth__gte=first_depth, depth__lte=last_depth)
            .annotate(reply_count=Count("replies", filter=~Q(replies__state=CommentState.HELD)))
            .order_by("depth", "created_at", "id")
        )
    else:
        last_depth = 0
    ids = [c.pk for c in tops] + [c.pk for c in below]
    liked: set[int] = set()
    likes_video = follows_owner = False
    if user.is_authenticated:
        liked = set(
            CommentLike.objects.filter(user_id=user.pk, comment_id__in=ids).values_list(
                "comment_id", flat=True
            )
        )
    if user.is_authenticated and video is not None:
        likes_video = VideoLike.objects.filter(user_id=user.pk, video=video).exists()
        follows_owner = Follow.objects.filter(
            follower_id=user.pk, reporter_id=video.owner_id
        ).exists()
    return CommentBlock(
        video=video,
        mode=settings_row.mode if settings_row is not None else CommentMode.OPEN,
        nodes=_tree(tops, below, last_depth),
        has_more=has_more,
        page=page,
        video_likes=VideoLike.objects.filter(video=video).count() if video else 0,
        likes_video=likes_video,
        follows_owner=follows_owner,
        liked_comment_ids=liked,
        can_moderate=can_moderate,
        focus=focus,
        story=story,
    )


def comments_held() -> QuerySet[Comment]:
    """Comments waiting for an editor, oldest first."""
    return (
        Comment.objects.filter(state=CommentState.HELD)
        .select_related("author", "video")
        .order_by("created_at", "id")
    )
