"""Search over published videos (title, description), reporters (display name) and stories.

PostgreSQL (the scaled mode): full-text search with the `english` configuration (stemming:
"flooding" finds "floods"), ranked by `ts_rank`: videos through their stored `search_document`
(migration videos.0005), stories through a GIN expression index (videos.0004) whose expression
must stay identical to `story_search_vector()` or the planner stops using it. Full-text search
does not split Chinese (a run of Han characters is one token), so a query with CJK characters
matches by substring instead (`LIKE '%洪水%'`, helped by the trigram indexes of the same
migration). SQLite (the embedded mode): substring matching for every query. Only published
videos are ever returned (docs/architecture.md, content states).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext as _

from community.models import Story
from community.stories.selectors import story_item_count
from fieldcast.accounts.models import User
from fieldcast.accounts.roles import ROLE_PERMISSIONS
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_list_published

QUERY_MAX_LENGTH = 200
MAX_TERMS = 8
SEARCH_PAGE_SIZE = 20
RANK_WINDOW = 1000  # full text ranks the newest this many matches
SIDE_RESULTS = 5
SEARCH_CONFIG = "english"
# Han, kana, Hangul and full-width forms: scripts written without spaces between words.
# The roles (groups) that may upload: roles.ROLE_PERMISSIONS is the one table of who may do what.
REPORTING_ROLES = [role for role, perms in ROLE_PERMISSIONS.items() if "upload_video" in perms]
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@dataclass
class SearchResults:
    query: str
    page: int = 1
    videos: list[Video] = field(default_factory=list)
    has_next: bool = False
    reporters: list[User] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    full_text: bool = False  # ranked full-text search (PostgreSQL) rather than substring match

    @property
    def empty(self) -> bool:
        return not (self.videos or self.reporters or self.stories)


def search_query_clean(raw: str | None) -> str:
    """The query as searched: control characters dropped, whitespace collapsed; too long is
    refused."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))  # NUL, controls
    query = " ".join(printable.split())
    if len(query) > QUERY_MAX_LENGTH:
        message = _("Search for at most %(limit)s characters.") % {"limit": QUERY_MAX_LENGTH}
        raise ValidationFailed(message, code=ErrorCode.QUERY_TOO_LONG, fields={"q": [message]})
    return query


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _full_text_for(query: str) -> bool:
    return uses_full_text() and not CJK.search(query)


def story_search_vector() -> CombinedExpression:
    """Must equal the expression of index `search_story_fts` (migration videos.0004)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "summary", weight="B", config=SEARCH_CONFIG
    )


def _search_query(query: str) -> SearchQuery:
    # websearch syntax never fails to parse: "quoted phrases", -exclusions, or.
    return SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")


def _substring(fields: tuple[str, ...], query: str) -> Q:
    """Every term found in at least one of the fields, ignoring case for Latin letters.

    CJK terms (no case) use a plain LIKE, which PostgreSQL's trigram indexes serve.
    """
    match = Q()
    for term in query.split()[:MAX_TERMS]:
        lookup = "contains" if CJK.search(term) else "icontains"
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__{lookup}": term})
        match &= any_field
    return match


class VideoDocument(Expression):
    """The stored `videos_video.search_document` column (not a model field: PostgreSQL only)."""

    output_field = SearchVectorField()

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str | int]]:
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"{table}.search_document", []


def videos_ranked(query: str, *, start: int, stop: int) -> list[Video]:
    """Full text (PostgreSQL): the newest RANK_WINDOW matches, ranked, rows start..stop.

    Two small queries rather than one: the ids of the newest matches (GIN index on the stored
    `search_document` of migration videos.0005), then those rows ranked by `ts_rank`. A common
    word matches a large share of 100k videos; ranking only the window, and joining by id rather
    than through an IN-subquery (which PostgreSQL answered with a scan of the whole table), keeps
    the cost flat as the table grows.
    """
    search = _search_query(query)
    window = list(
        Video.objects.filter(state=VideoState.PUBLISHED)
        .annotate(document=VideoDocument())
        .filter(document=search)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:RANK_WINDOW]
    )
    return list(
        video_list_published()
        .filter(pk__in=window)
        .annotate(rank=SearchRank(VideoDocument(), search))
        .order_by("-rank", "-published_at", "-id")[start:stop]
    )


def videos_matching(query: str, *, start: int, stop: int) -> list[Video]:
    """Published videos matching the query, rows start..stop: best first (full text) or newest
    first (substring: SQLite, and CJK queries on PostgreSQL)."""
    if _full_text_for(query):
        return videos_ranked(query, start=start, stop=stop)
    return list(
        video_list_published().filter(_substring(("title", "description"), query))[start:stop]
    )


def stories_matching(query: str, *, limit: int = SIDE_RESULTS) -> list[Story]:
    stories = Story.objects.annotate(item_count=story_item_count())
    if _full_text_for(query):
        search = _search_query(query)
        stories = (
            stories.annotate(search=story_search_vector())
            .filter(search=search)
            .annotate(rank=SearchRank(story_search_vector(), search))
            .order_by("-rank", "-updated_at", "-id")
        )
    else:
        stories = stories.filter(_substring(("title", "summary"), query)).order_by(
            "-updated_at", "-id"
        )
    return list(stories[:limit])


def reporters_matching(query: str, *, limit: int = SIDE_RESULTS) -> list[User]:
    """Active people who can report whose display name holds every term; most points first.

    Each carries `published` (their published video count), a subquery PostgreSQL evaluates
    for the returned rows only. Names match case-insensitively in any script (served on
    PostgreSQL by the trigram index on UPPER(display_name), migration videos.0006).
    """
    can_report = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=REPORTING_ROLES
    )
    published = (
        Video.objects.filter(owner_id=OuterRef("pk"), state=VideoState.PUBLISHED)
        .order_by()
        .values("owner_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    match = Q()
    for term in query.split()[:MAX_TERMS]:
        match &= Q(display_name__icontains=term)
    return list(
        User.objects.filter(Exists(can_report), match, is_active=True)
        .annotate(published=Coalesce(Subquery(published, output_field=IntegerField()), 0))
        .order_by(F("points_account__total").desc(nulls_last=True), "display_name", "id")[:limit]
    )


def search(*, query: str, page: int = 1) -> SearchResults:
    """One page of matching videos, plus the first reporters and stories (page 1 only).

    The query must have been cleaned by `search_query_clean`. Constant number of queries.
    """
    results = SearchResults(query=query, page=max(1, page), full_text=_full_text_for(query))
    if not query:
        return results
    start = (results.page - 1) * SEARCH_PAGE_SIZE
    videos = videos_matching(query, start=start, stop=start + SEARCH_PAGE_SIZE + 1)
    results.videos = videos[:SEARCH_PAGE_SIZE]
    results.has_next = len(videos) > SEARCH_PAGE_SIZE
    if results.page == 1:
        results.reporters = reporters_matching(query)
        results.stories = stories_matching(query)
    return results
