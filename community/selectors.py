"""Reads of the community app; each page-sized read takes a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from community.models import (
    URGENCY_RANK,
    Assignment,
    AssignmentAcceptance,
    AssignmentState,
    AssignmentUse,
    Comment,
    CommentLike,
    CommentMode,
    CommentSettings,
    CommentState,
    Follow,
    Notification,
    NotificationKind,
    NotificationMute,
    Story,
    StoryFollow,
    StoryItem,
    VideoLike,
)
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_list_published
from ingest.models import LiveSource, SourceState

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
    can_moderate = roles.has_role_permission(user, "moderate_content")  # type: ignore[arg-type]
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


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's notifications shown in the app (kinds they keep for email only are left out)."""
    return Notification.objects.filter(recipient=user, in_app=True).select_related(
        "actor", "video", "story", "assignment"
    )


def notification_preferences(*, user: User) -> dict[str, bool]:
    """Kind -> on in the app (the email column is `community.notify.preferences`)."""
    muted = set(
        NotificationMute.objects.filter(user=user, channel="app").values_list("kind", flat=True)
    )
    return {kind: kind not in muted for kind in NotificationKind.values}


def follower_count(*, reporter_id: int) -> int:
    return Follow.objects.filter(reporter_id=reporter_id).count()


def _contribution_count() -> Coalesce:
    published = (
        Video.objects.filter(
            state=VideoState.PUBLISHED,
            assignment_ref=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by()
        .values("assignment_ref")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(published, output_field=IntegerField()), Value(0))


def assignments_open(*, city: str = "") -> QuerySet[Assignment]:
    """Open calls: the person's city first, then the most urgent, then the newest.

    Each row carries `contributions` (published videos answering it): one query in all.
    """
    near = Case(When(city__iexact=city, then=Value(0)), default=Value(1)) if city else Value(1)
    urgency = Case(
        *[When(urgency=level, then=Value(rank)) for level, rank in URGENCY_RANK.items()],
        default=Value(9),
    )
    return (
        Assignment.objects.filter(state=AssignmentState.OPEN)
        .annotate(near=near, urgency_rank=urgency, contributions=_contribution_count())
        .order_by("near", "urgency_rank", "-created_at", "-id")
    )


def assignment_city_and_title(assignment_id: int) -> tuple[str, str] | None:
    """(city, title) of an assignment, or None: the ingest's lower third asks through
    `ingest.assignments` (registered in `CommunityConfig.ready()`)."""
    row = Assignment.objects.filter(pk=assignment_id).values_list("city", "title").first()
    return (str(row[0]), str(row[1])) if row else None


def assignments_closed() -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(state=AssignmentState.CLOSED)
        .annotate(contributions=_contribution_count())
        .order_by("-closed_at", "-id")
    )


@dataclass
class AssignmentPage:
    assignment: Assignment
    contributions: list[Video]
    used_ids: set[int]
    accepted: bool = False  # the person looking has accepted it
    acceptances: int = 0


def assignment_page(
    *, assignment_id: int, user: User | AnonymousUser | None = None
) -> AssignmentPage | None:
    """An assignment with its published contributions (newest first) and which were used."""
    assignment = Assignment.objects.select_related("story").filter(pk=assignment_id).first()
    if assignment is None:
        return None
    videos = list(video_list_published(assignment=assignment.ref)[:200])
    used = set(
        AssignmentUse.objects.filter(assignment=assignment).values_list("video_id", flat=True)
    )
    accepted_by = set(
        AssignmentAcceptance.objects.filter(assignment=assignment).values_list(
            "reporter_id", flat=True
        )
    )
    return AssignmentPage(
        assignment=assignment,
        contributions=videos,
        used_ids=used,
        accepted=bool(user is not None and user.is_authenticated and user.pk in accepted_by),
        acceptances=len(accepted_by),
    )


def assignments_accepted(*, user: User) -> QuerySet[Assignment]:
    """The assignments this reporter accepted (open ones first, then the newest acceptance),
    each with `contributions` (all published answers) and `mine` (this reporter's)."""
    mine = (
        Video.objects.filter(
            state=VideoState.PUBLISHED,
            owner=user,
            assignment_ref=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by()
        .values("assignment_ref")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Assignment.objects.filter(acceptances__reporter=user)
        .annotate(
            contributions=_contribution_count(),
            mine=Coalesce(Subquery(mine, output_field=IntegerField()), Value(0)),
            open_first=Case(When(state=AssignmentState.OPEN, then=Value(0)), default=Value(1)),
        )
        .order_by("open_first", "-acceptances__created_at", "-id")
    )


def assignment_accepted_ids(*, user: User | AnonymousUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        AssignmentAcceptance.objects.filter(reporter_id=user.pk).values_list(
            "assignment_id", flat=True
        )
    )


@dataclass
class StoryTimeline:
    story: Story
    items: list[StoryItem]
    followers: int
    following: bool
    # Live sources on air right now for one of the story's assignments (the page's banner).
    on_air: list[LiveSource] = field(default_factory=list)


def story_sources_on_air(*, story: Story) -> list[LiveSource]:
    """Sources on air whose assignment feeds this story: one query."""
    refs = Assignment.objects.filter(story=story).annotate(
        ref_text=Cast("pk", output_field=CharField())
    )
    return list(
        LiveSource.objects.filter(
            state=SourceState.ON_AIR, assignment_ref__in=refs.values("ref_text")
        )
        .select_related("reporter")
        .order_by("live_at", "id")
    )


def story_list() -> QuerySet[Story]:
    return Story.objects.annotate(item_count=Count("items")).order_by("-updated_at", "-id")


def story_timeline(*, story_id: int, user: User | AnonymousUser) -> StoryTimeline | None:
    """A story's entries in time order; videos that are no longer published drop out."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return None
    items = list(
        StoryItem.objects.filter(story=story)
        .filter(Q(video__isnull=True) | Q(video__state=VideoState.PUBLISHED))
        .select_related("video", "video__owner")
        .order_by("happened_at", "id")
    )
    following = (
        user.is_authenticated and StoryFollow.objects.filter(story=story, user_id=user.pk).exists()
    )
    return StoryTimeline(
        story=story,
        items=items,
        followers=StoryFollow.objects.filter(story=story).count(),
        following=bool(following),
        on_air=story_sources_on_air(story=story),
    )
