"""View counting API under /api/v1/community/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.audience import services
from fieldcast.videos.selectors import video_for_viewer


class ViewApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=None,
        responses={200: None},
        summary="Count a view (once per viewer per window)",
    )
    def post(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, user=request.user)
        if request.user.is_authenticated:
            viewer = f"u{request.user.pk}"
        else:
            if not request.session.session_key:
                request.session.save()
            viewer = f"s{request.session.session_key}"
        counted = services.view_record(video=video, viewer=viewer)
        return Response({"counted": counted})
