"""Live API under /api/v1/live/: stream keys (reporters) and live sources (editors)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts.guards import has_permission, require_permission, require_user
from ingest import selectors, services
from ingest.models import LiveSource, StreamKey


class StreamKeySerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = StreamKey
        fields = [
            "id",
            "name",
            "assignment_ref",
            "prefix",
            "active",
            "created_at",
            "rotated_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class StreamKeyWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    assignment_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)


StreamKeyWithSecret = inline_serializer(
    "StreamKeyWithSecret",
    {"key": StreamKeySerializer(), "secret": serializers.CharField()},
)


def _with_secret(key: StreamKey, secret: str) -> dict[str, Any]:
    return {"key": StreamKeySerializer(key).data, "secret": secret}


class StreamKeyListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=StreamKeySerializer(many=True), summary="Your stream keys")
    def get(self, request: Request) -> Response:
        keys = selectors.stream_keys_for_user(user=require_user(request.user))
        return Response(StreamKeySerializer(keys, many=True).data)

    @extend_schema(
        request=StreamKeyWriteSerializer,
        responses={201: StreamKeyWithSecret},
        summary="Create a stream key (the secret is returned once)",
    )
    def post(self, request: Request) -> Response:
        body = StreamKeyWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key, secret = services.stream_key_create(
            user=require_user(request.user),
            name=body.validated_data.get("name", ""),
            assignment_ref=body.validated_data.get("assignment_ref", ""),
        )
        return Response(_with_secret(key, secret), status=status.HTTP_201_CREATED)


class StreamKeyDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=StreamKeyWriteSerializer,
        responses=StreamKeySerializer,
        summary="Rename a stream key or change its assignment",
    )
    def patch(self, request: Request, key_id: int) -> Response:
        body = StreamKeyWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        key = services.stream_key_update(
            user=require_user(request.user),
            key_id=key_id,
            name=body.validated_data.get("name"),
            assignment_ref=body.validated_data.get("assignment_ref"),
        )
        return Response(StreamKeySerializer(key).data)

    @extend_schema(responses={204: None}, summary="Revoke a stream key")
    def delete(self, request: Request, key_id: int) -> Response:
        services.stream_key_revoke(user=require_user(request.user), key_id=key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StreamKeyRotateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: StreamKeyWithSecret},
        summary="Rotate a stream key (the new secret is returned once)",
    )
    def post(self, request: Request, key_id: int) -> Response:
        user = require_user(request.user)
        key, secret = services.stream_key_rotate(user=user, key_id=key_id)
        return Response(_with_secret(key, secret))


class LiveSourceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    reporter = serializers.CharField(source="reporter.public_name", read_only=True)
    video_id = serializers.IntegerField(read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = LiveSource
        fields = [
            "id",
            "title",
            "assignment_ref",
            "reporter",
            "protocol",
            "state",
            "state_label",
            "state_reason",
            "connected",
            "connection_count",
            "created_at",
            "live_at",
            "ended_at",
            "stats",
            "video_id",
        ]
        read_only_fields = fields


class LiveSourceListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=LiveSourceSerializer(many=True), summary="Running live sources")
    def get(self, request: Request) -> Response:
        require_permission(
            request.user,
            "moderate_content",
            message=gettext("Only editors can see live sources."),
        )
        return Response(LiveSourceSerializer(selectors.sources_running(), many=True).data)


class LiveSourceDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=LiveSourceSerializer, summary="One live source (editors or its reporter)"
    )
    def get(self, request: Request, source_key: str) -> Response:
        user = require_user(request.user)
        if has_permission(user, "moderate_content"):
            source = selectors.source_by_key(source_key=source_key)
        else:
            source = selectors.source_for_reporter(source_key=source_key, user=user)
        return Response(LiveSourceSerializer(source).data)


class LiveSourceDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class LiveSourceDecisionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=LiveSourceDecisionSerializer,
        responses=LiveSourceSerializer,
        summary="Approve, un-approve, reject or kill a live source",
    )
    def post(self, request: Request, source_key: str, action: str) -> Response:
        body = LiveSourceDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = services.source_decide(
            source_key=source_key,
            editor=require_user(request.user),
            action=action,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(LiveSourceSerializer(source).data)
