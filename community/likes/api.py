"""Likes API under /api/v1/community/: like and unlike videos and comments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.likes import services


class CommentLikeApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Like a comment")
    def post(self, request: Request, comment_id: int) -> Response:
        services.comment_like(user=request.user, comment_id=comment_id)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Take back a like")
    def delete(self, request: Request, comment_id: int) -> Response:
        services.comment_unlike(user=request.user, comment_id=comment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoLikeApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Like a published video")
    def post(self, request: Request, video_id: int) -> Response:
        services.video_like(user=request.user, video_id=video_id)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Take back a like")
    def delete(self, request: Request, video_id: int) -> Response:
        services.video_unlike(user=request.user, video_id=video_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
