"""Studio API under /api/v1/programs/: the same commands as the studio page's websocket.

Editors read a program's full studio state and send commands; anyone reads what is on air."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.errors import ValidationFailed
from ingest.program import selectors, services


def _studio_state(slug: str, user: User) -> dict[str, Any]:
    program = selectors.program_for_slug(slug=slug)
    return selectors.program_studio_state(program=program, user=user)


class ProgramCreateSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=100)
    width = serializers.IntegerField(required=False, default=1280)
    height = serializers.IntegerField(required=False, default=720)
    fps = serializers.IntegerField(required=False, default=25)


class ProgramSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    running = serializers.BooleanField()
    mode = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    fps = serializers.IntegerField()


class ProgramListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ProgramSummarySerializer(many=True), summary="Channels (editors)")
    def get(self, request: Request) -> Response:
        services.ensure_studio_operator(request.user)
        return Response(ProgramSummarySerializer(selectors.programs_all(), many=True).data)

    @extend_schema(
        request=ProgramCreateSerializer,
        responses={201: ProgramSummarySerializer},
        summary="Create a channel (staff)",
    )
    def post(self, request: Request) -> Response:
        body = ProgramCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        program = services.program_create(staff=require_user(request.user), **body.validated_data)
        return Response(ProgramSummarySerializer(program).data, status=status.HTTP_201_CREATED)


class ProgramDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A program's studio state (editors)")
    def get(self, request: Request, slug: str) -> Response:
        user = services.ensure_studio_operator(request.user)
        return Response(_studio_state(slug, user))


class ProgramLogApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="What went to air when (editors), newest first",
    )
    def get(self, request: Request, slug: str) -> Response:
        services.ensure_studio_operator(request.user)
        program = selectors.program_for_slug(slug=slug)
        entries = selectors.program_log(program=program, limit=200)
        return Response([selectors.log_entry_data(entry) for entry in entries])


class ProgramOnAirApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="What is on air now (public)")
    def get(self, request: Request, slug: str) -> Response:
        program = selectors.program_for_slug(slug=slug)
        return Response(selectors.program_public_state(program))


class SlateImageSerializer(serializers.Serializer):
    image = serializers.FileField()


class ProgramSlateImageApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": SlateImageSerializer},
        responses=OpenApiTypes.OBJECT,
        summary="Upload the station slate (staff): a JPEG, PNG or WebP picture",
    )
    def post(self, request: Request, slug: str) -> Response:
        upload = request.FILES.get("image")
        if upload is None:
            raise ValidationFailed(
                services.slate_missing_message(),
                fields={"image": [services.slate_missing_message()]},
            )
        staff = require_user(request.user)
        services.program_set_slate_image(slug=slug, staff=staff, upload=upload)
        return Response(_studio_state(slug, staff))

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Back to the default slate (staff)")
    def delete(self, request: Request, slug: str) -> Response:
        staff = require_user(request.user)
        services.program_set_slate_image(slug=slug, staff=staff, upload=None)
        return Response(_studio_state(slug, staff))


class ProgramCommandApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=list(services.COMMANDS),
                description=(
                    "preview/cut/fade/standby take {source}; fade {duration_ms}; video {video}; "
                    "kill {source, reason}; lower_third {visible}; hand_over {to_user}; "
                    "cutaway {after_seconds, min_kbps}."
                ),
            )
        ],
        summary="Run a studio command; answers the program's new studio state",
        operation_id="programs_command",
    )
    def post(self, request: Request, slug: str, action: str) -> Response:
        user = require_user(request.user)
        params = request.data if isinstance(request.data, dict) else None
        services.program_command(slug=slug, editor=user, action=action, params=params)
        return Response(_studio_state(slug, user))
