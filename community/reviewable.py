"""Comments as moderation reviews them: held comments and reported ones.

Moderation sits below community and reaches comments only through this adapter, which
`CommunityConfig.ready()` registers for the "comment" case kind (docs/moderation.md).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import Truncator

from community.comments import services
from community.models import Comment, CommentState
from fieldcast.accounts.models import User
from fieldcast.videos.models import Video
from moderation import reviewables
from moderation.models import CaseKind
from moderation.reviewables import ReviewItem


class CommentReviewable:
    def held(self) -> QuerySet[Comment]:
        return Comment.objects.filter(state=CommentState.HELD)

    def find(self, *, pk: int, lock: bool = False) -> Comment | None:
        comments = Comment.objects.select_related("video")
        if lock:
            # Lock only the comment row: PostgreSQL refuses FOR UPDATE on the outer-joined video.
            comments = comments.select_for_update(of=("self",))
        return comments.filter(pk=pk).first()

    def describe(self, item: Comment) -> ReviewItem:
        return ReviewItem(
            pk=item.pk,
            owner_id=item.author_id,
            created_at=item.created_at,
            state=item.state,
            state_label=str(item.get_state_display()),
            held=item.state == CommentState.HELD,
            shown=item.state == CommentState.VISIBLE,
            flags=("term",) if item.held_terms else (),
            summary=Truncator(item.body).chars(60),
        )

    def video(self, item: Comment) -> Video | None:
        return item.video

    def owner(self, item: Comment) -> User | None:
        return item.author

    def approve(self, *, item: Comment, editor: User) -> Comment:
        return services.comment_approve(user=editor, comment_id=item.pk)

    def remove(self, *, item: Comment, editor: User, reason: str) -> Comment:
        return services.comment_remove(user=editor, comment_id=item.pk, reason=reason)


def register() -> None:
    reviewables.register(CaseKind.COMMENT, CommentReviewable())
