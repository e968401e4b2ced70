"""Search, home feed and reporter profile API, under /api/v1/community/.

The same reads as the pages (community/search_selectors.py, community/feed_selectors.py), so the
same rules: only published videos, except a reporter reading their own profile.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community import feed_selectors, search_selectors
from community.models import Story
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound, ValidationFailed
from fieldcast.videos.api import VideoSerializer
from fieldcast.videos.models import Video
from ingest.models import LiveSource, Program, ProgramMode


class ReporterBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    published = serializers.IntegerField()
    profile_url = serializers.URLField()


class StoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    item_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField()


class OnAirSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    reporter = serializers.DictField()
    live_at = serializers.DateTimeField(allow_null=True)


class ProgramSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    watch_url = serializers.URLField()
    source = OnAirSerializer(allow_null=True)  # type: ignore[assignment]


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    full_text = serializers.BooleanField()
    videos = VideoSerializer(many=True)
    reporters = ReporterBriefSerializer(many=True)
    stories = StoryBriefSerializer(many=True)


class FeedSerializer(serializers.Serializer):
    programs = ProgramSerializer(many=True)
    on_air = OnAirSerializer(many=True)
    following_videos = VideoSerializer(many=True)
    following_stories = StoryBriefSerializer(many=True)
    newest = VideoSerializer(many=True)
    most_watched = VideoSerializer(many=True)
    stories = StoryBriefSerializer(many=True)


class ContributionSerializer(serializers.Serializer):
    story_id = serializers.IntegerField()
    title = serializers.CharField()
    videos = serializers.IntegerField()


class ReporterProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    bio = serializers.CharField()
    tier = serializers.CharField()
    tier_label = serializers.CharField()
    network_reporter = serializers.BooleanField()
    followers = serializers.IntegerField()
    following = serializers.BooleanField()
    published_count = serializers.IntegerField()
    contributions = ContributionSerializer(many=True)
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    videos = VideoSerializer(many=True)


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        message = _("The page is a whole number from 1.")
        raise ValidationFailed(message, fields={"page": [message]})
    return min(int(raw), 10_000)


def _videos(request: Request, videos: list[Video]) -> list[dict[str, Any]]:
    return list(VideoSerializer(videos, many=True, context={"request": request}).data)


def _stories(request: Request, stories: list[Story]) -> list[dict[str, Any]]:
    return [
        {
            "id": story.pk,
            "title": story.title,
            "item_count": getattr(story, "item_count", 0),
            "updated_at": story.updated_at,
            "url": request.build_absolute_uri(reverse("community:story", args=[story.pk])),
        }
        for story in stories
    ]


def _reporters(request: Request, reporters: list[User]) -> list[dict[str, Any]]:
    return [
        {
            "id": reporter.pk,
            "name": reporter.public_name,
            "city": reporter.city,
            "published": getattr(reporter, "published", 0),
            "profile_url": request.build_absolute_uri(reverse("reporter", args=[reporter.pk])),
        }
        for reporter in reporters
    ]


def _source(source: LiveSource) -> dict[str, Any]:
    return {
        "id": source.pk,
        "title": source.title,
        "reporter": {"id": source.reporter_id, "name": source.reporter.public_name},
        "live_at": source.live_at,
    }


def _programs(request: Request, programs: list[Program]) -> list[dict[str, Any]]:
    return [
        {
            "slug": program.slug,
            "name": program.name,
            "watch_url": request.build_absolute_uri(reverse("program:live", args=[program.slug])),
            "source": _source(program.program_source)
            if program.program_source is not None and program.mode == ProgramMode.SOURCE
            else None,
        }
        for program in programs
    ]


class SearchApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=SearchResultSerializer,
        summary="Search published videos, reporters and stories",
        parameters=[
            OpenApiParameter("q", str, required=True, description="at most 200 characters"),
            OpenApiParameter("page", int, required=False, description="a page of 20 videos"),
        ],
    )
    def get(self, request: Request) -> Response:
        query = search_selectors.search_query_clean(request.query_params.get("q"))
        if not query:
            message = _("Type something to search for.")
            raise ValidationFailed(message, code="query_empty", fields={"q": [message]})
        results = search_selectors.search(query=query, page=_page(request))
        return Response(
            {
                "query": results.query,
                "page": results.page,
                "has_next": results.has_next,
                "full_text": results.full_text,
                "videos": _videos(request, results.videos),
                "reporters": _reporters(request, results.reporters),
                "stories": _stories(request, results.stories),
            }
        )


class FeedApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=FeedSerializer,
        summary="The home feed: programs and sources on air, what you follow, newest, most watched, stories",
    )
    def get(self, request: Request) -> Response:
        feed = feed_selectors.home_feed(user=request.user)  # type: ignore[arg-type]
        return Response(
            {
                "programs": _programs(request, feed.programs),
                "on_air": [_source(source) for source in feed.on_air],
                "following_videos": _videos(request, feed.following_videos),
                "following_stories": _stories(request, feed.following_stories),
                "newest": _videos(request, feed.newest),
                "most_watched": _videos(request, feed.most_watched),
                "stories": _stories(request, feed.stories),
            }
        )


class ReporterApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=ReporterProfileSerializer,
        summary="A reporter's profile and one page of their published work",
        parameters=[OpenApiParameter("page", int, required=False)],
    )
    def get(self, request: Request, reporter_id: int) -> Response:
        reporter = feed_selectors.reporter_for_profile(reporter_id=reporter_id)
        if reporter is None:
            raise NotFound(_("We could not find that reporter."))
        profile = feed_selectors.reporter_profile(
            reporter=reporter,
            user=request.user,  # type: ignore[arg-type]
            page=_page(request),
        )
        return Response(
            {
                "id": reporter.pk,
                "name": reporter.public_name,
                "city": reporter.city,
                "bio": reporter.bio,
                "tier": profile.tier,
                "tier_label": profile.tier_label,
                "network_reporter": profile.network_reporter,
                "followers": profile.followers,
                "following": profile.following,
                "published_count": profile.published_count,
                "contributions": [
                    {"story_id": item.story_id, "title": item.title, "videos": item.videos}
                    for item in profile.contributions
                ],
                "page": profile.page,
                "has_next": profile.has_next,
                "videos": _videos(request, profile.videos),
            }
        )
