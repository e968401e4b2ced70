"""Home feed API, /api/v1/community/feed/: the same reads as the home page
(`community.feed.selectors`), so the same rules: only published videos.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.feed import selectors as feed_selectors
from community.serializers import StoryBriefSerializer, stories_data, videos_data
from fieldcast.videos.api import VideoSerializer
from ingest.models import LiveSource, Program, ProgramMode


class OnAirSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    reporter = serializers.DictField()
    live_at = serializers.DateTimeField(allow_null=True)


class ProgramSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    watch_url = serializers.URLField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here, not as a class attribute: `source` is every DRF field's own attribute.
        fields = super().get_fields()
        fields["source"] = OnAirSerializer(allow_null=True)
        return fields


class FeedSerializer(serializers.Serializer):
    programs = ProgramSerializer(many=True)
    on_air = OnAirSerializer(many=True)
    following_videos = VideoSerializer(many=True)
    following_stories = StoryBriefSerializer(many=True)
    newest = VideoSerializer(many=True)
    most_watched = VideoSerializer(many=True)
    stories = StoryBriefSerializer(many=True)


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


class FeedApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=FeedSerializer,
        summary="The home feed: programs and sources on air, what you follow, newest, most watched, stories",
    )
    def get(self, request: Request) -> Response:
        feed = feed_selectors.home_feed(user=request.user)
        return Response(
            {
                "programs": _programs(request, feed.programs),
                "on_air": [_source(source) for source in feed.on_air],
                "following_videos": videos_data(request, feed.following_videos),
                "following_stories": stories_data(request, feed.following_stories),
                "newest": videos_data(request, feed.newest),
                "most_watched": videos_data(request, feed.most_watched),
                "stories": stories_data(request, feed.stories),
            }
        )
