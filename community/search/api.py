"""Search API, /api/v1/community/search/: the same reads as the search page
(`community.search.selectors`), so the same rules: only published videos.
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

from community.search import selectors as search_selectors
from community.serializers import StoryBriefSerializer, page_param, stories_data, videos_data
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from fieldcast.videos.api import VideoSerializer


class ReporterBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    published = serializers.IntegerField()
    profile_url = serializers.URLField()


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    full_text = serializers.BooleanField()
    videos = VideoSerializer(many=True)
    reporters = ReporterBriefSerializer(many=True)
    stories = StoryBriefSerializer(many=True)


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
            raise ValidationFailed(message, code=ErrorCode.QUERY_EMPTY, fields={"q": [message]})
        results = search_selectors.search(query=query, page=page_param(request))
        return Response(
            {
                "query": results.query,
                "page": results.page,
                "has_next": results.has_next,
                "full_text": results.full_text,
                "videos": videos_data(request, results.videos),
                "reporters": _reporters(request, results.reporters),
                "stories": stories_data(request, results.stories),
            }
        )
