"""Stories API under /api/v1/community/stories/: timelines, editors' entries, follows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.comments.rendering import render_comment
from community.models import (
    Story,
)
from community.stories import selectors, services
from fieldcast.core.errors import NotFound, ValidationFailed


class StoryInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=10_000)
    summary = serializers.CharField(allow_blank=True, required=False, max_length=100_000)


class StoryItemInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["video", "update"])
    video = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=100_000)


def story_data(story: Story) -> dict[str, Any]:
    return {
        "id": story.pk,
        "title": story.title,
        "summary": story.summary,
        "updated_at": story.updated_at,
    }


class StoriesApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: None},
        summary="Stories, most recently updated first",
        operation_id="community_stories_list",
    )
    def get(self, request: Request) -> Response:
        return Response({"results": [story_data(s) for s in selectors.story_list()[:100]]})

    @extend_schema(request=StoryInputSerializer, responses={201: None}, summary="Start a story")
    def post(self, request: Request) -> Response:
        data = StoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        story = services.story_create(user=request.user, **data.validated_data)
        return Response(story_data(story), status=status.HTTP_201_CREATED)


class StoryApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="A story's timeline in time order")
    def get(self, request: Request, story_id: int) -> Response:
        timeline = selectors.story_timeline(story_id=story_id, user=request.user)
        if timeline is None:
            raise NotFound(_("We could not find that story."))
        data = story_data(timeline.story)
        data["followers"] = timeline.followers
        data["following"] = timeline.following
        data["on_air"] = [
            {"source": str(source.key), "title": source.title, "reporter_id": source.reporter_id}
            for source in timeline.on_air
        ]
        data["items"] = [
            {
                "kind": item.kind,
                "happened_at": item.happened_at,
                "video_id": item.video_id,
                "video_title": item.video.title if item.video else "",
                "text": item.text,
                "html": str(render_comment(item.text)) if item.text else "",
            }
            for item in timeline.items
        ]
        return Response(data)


class StoryItemsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=StoryItemInputSerializer,
        responses={201: None},
        summary="Add a published video or a text update (editors)",
    )
    def post(self, request: Request, story_id: int) -> Response:
        data = StoryItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["kind"] == "video":
            if "video" not in values:
                message = _("Give the number of a published video.")
                raise ValidationFailed(message, fields={"video": [message]})
            item = services.story_add_video(
                user=request.user, story_id=story_id, video_id=values["video"]
            )
        else:
            item = services.story_add_update(
                user=request.user, story_id=story_id, text=values.get("text", "")
            )
        return Response(
            {"id": item.pk, "kind": item.kind, "happened_at": item.happened_at},
            status=status.HTTP_201_CREATED,
        )


class StoryFollowApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Follow a story")
    def post(self, request: Request, story_id: int) -> Response:
        services.story_follow(user=request.user, story_id=story_id)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Stop following a story")
    def delete(self, request: Request, story_id: int) -> Response:
        services.story_unfollow(user=request.user, story_id=story_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
