"""Reads of assignments: open and closed calls, one call's page, a reporter's accepted calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from community.models import (
    URGENCY_RANK,
    Assignment,
    AssignmentAcceptance,
    AssignmentState,
    AssignmentUse,
)
from fieldcast.accounts.models import User
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_list_published

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class AcceptedCounts(TypedDict):
    """What `assignments_accepted` adds to each assignment."""

    contributions: int
    mine: int
    open_first: int


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


def assignments_accepted(*, user: User) -> QuerySet[WithAnnotations[Assignment, AcceptedCounts]]:
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
