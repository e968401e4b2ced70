"""Videos API: the published list, and one video (with `hls_url` when the requester may watch)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts.guards import has_permission
from fieldcast.core.errors import ValidationFailed
from fieldcast.videos import selectors
from fieldcast.videos.models import Video, VideoState


class RenditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    bandwidth = serializers.IntegerField()


class VideoSerializer(serializers.ModelSerializer):
    reporter = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    assignment = serializers.CharField(source="assignment_ref")
    renditions = serializers.SerializerMethodField()
    watch_url = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "title",
            "description",
            "reporter",
            "assignment",
            "state",
            "state_label",
            "state_reason",
            "progress",
            "duration_seconds",
            "width",
            "height",
            "renditions",
            "view_count",
            "created_at",
            "published_at",
            "watch_url",
            "hls_url",
            "poster_url",
            "download_url",
        ]

    def _absolute(self, name: str, video: Video) -> str | None:
        # Every video this serializer sees passed video_for_viewer or the published filter.
        if not video.output_prefix:
            return None
        request = self.context["request"]
        return str(request.build_absolute_uri(reverse(name, args=[video.pk])))

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_reporter(self, video: Video) -> dict[str, Any]:
        return {"id": video.owner_id, "name": video.owner.public_name}

    def get_state_label(self, video: Video) -> str:
        return str(VideoState(video.state).label)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, video: Video) -> list[dict[str, Any]]:
        keys = ("name", "width", "height", "bandwidth")
        return [{key: item.get(key) for key in keys} for item in video.renditions]

    @extend_schema_field(OpenApiTypes.URI)
    def get_watch_url(self, video: Video) -> str:
        request = self.context["request"]
        return str(request.build_absolute_uri(reverse("video-watch", args=[video.pk])))

    @extend_schema_field(OpenApiTypes.URI)
    def get_hls_url(self, video: Video) -> str | None:
        return self._absolute("video-hls-master", video)

    @extend_schema_field(OpenApiTypes.URI)
    def get_poster_url(self, video: Video) -> str | None:
        return self._absolute("video-poster", video) if video.poster_key else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, video: Video) -> str | None:
        return self._absolute("video-download", video) if video.download_key else None

    def to_representation(self, video: Video) -> dict[str, Any]:
        data = super().to_representation(video)
        user = self.context["request"].user
        is_owner = user.is_authenticated and user.pk == video.owner_id
        is_editor = has_permission(user, "moderate_content")
        if not (is_owner or is_editor):
            data["state_reason"] = ""
        if is_editor:
            # Device and GPS tags from the original: for the newsroom's checks only.
            data["capture_metadata"] = video.capture_metadata
        return data


class VideoListApi(ListAPIView):
    """Published videos, newest first; `?reporter=<id>` and `?assignment=<ref>` filter."""

    serializer_class = VideoSerializer
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Published videos",
        parameters=[
            OpenApiParameter("reporter", int, description="Only this reporter's videos"),
            OpenApiParameter("assignment", str, description="Only clips for this assignment"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        reporter = self.request.query_params.get("reporter")
        if reporter is not None and not reporter.isdigit():
            raise ValidationFailed(fields={"reporter": ["Give a reporter id (a number)."]})
        return selectors.video_list_published(
            reporter_id=int(reporter) if reporter else None,
            assignment=self.request.query_params.get("assignment") or None,
        )


class VideoDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VideoSerializer, summary="One video, if you may see it")
    def get(self, request: Request, video_id: int) -> Response:
        video = selectors.video_for_viewer(video_id=video_id, user=request.user)
        return Response(VideoSerializer(video, context={"request": request}).data)
