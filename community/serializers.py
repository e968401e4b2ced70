"""API shapes shared by the home feed, search and reporter profiles: brief stories, pages of
videos, the `page` parameter.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from community.models import (
    Story,
)
from fieldcast.core.errors import ValidationFailed
from fieldcast.videos.api import VideoSerializer
from fieldcast.videos.models import Video


class StoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    item_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField()


def page_param(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        message = _("The page is a whole number from 1.")
        raise ValidationFailed(message, fields={"page": [message]})
    return min(int(raw), 10_000)


def videos_data(request: Request, videos: list[Video]) -> list[dict[str, Any]]:
    return list(VideoSerializer(videos, many=True, context={"request": request}).data)


def stories_data(request: Request, stories: list[Story]) -> list[dict[str, Any]]:
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
