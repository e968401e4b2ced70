"""Comments API under /api/v1/community/: a video's or a story's comments, edits, removals.

Same rules as the pages: every write goes through `community.comments.services`, refusals leave in
the one error shape. Comment bodies are returned as plain text plus `html` (escaped, links made
clickable), so API clients never have to sanitise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.comments import selectors, services
from community.comments.rendering import render_comment
from community.comments.selectors import CommentNode
from community.common import published_video
from community.models import (
    Comment,
    CommentMode,
    CommentState,
    Story,
)
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound, ValidationFailed


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField()
    author_id = serializers.IntegerField()
    author_name = serializers.CharField()
    state = serializers.ChoiceField(choices=CommentState.choices)
    body = serializers.CharField()
    html = serializers.CharField()
    like_count = serializers.IntegerField()
    more_replies = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    replies = serializers.ListField(child=serializers.DictField())


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here, not as a class attribute: `parent` is every DRF field's own attribute.
        fields = super().get_fields()
        fields["parent"] = serializers.IntegerField(required=False, allow_null=True)
        return fields


def _has_expert_badge(user: User) -> bool:
    """Read through the relation the comment block already joined (no query per comment)."""
    try:
        return user.guest_expert is not None
    except ObjectDoesNotExist:
        return False


def comment_data(
    comment: Comment, *, more_replies: int = 0, replies: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    gone = comment.state in (CommentState.DELETED, CommentState.REMOVED)
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author_id": comment.author_id,
        "author_name": comment.author.public_name,
        "author_guest_expert": _has_expert_badge(comment.author),
        "state": comment.state,
        "body": "" if gone else comment.body,
        "html": "" if gone else str(render_comment(comment.body)),
        "like_count": comment.like_count,
        "more_replies": more_replies,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "replies": list(replies),
    }


def _node_data(node: CommentNode) -> dict[str, Any]:
    return comment_data(
        node.comment,
        more_replies=node.more_replies,
        replies=[_node_data(child) for child in node.children],
    )


def _body(request: Request) -> CommentInputSerializer:
    data = CommentInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data


class VideoCommentsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=CommentSerializer(many=True),
        summary="Comments of a published video: top level newest first, two reply levels each",
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("thread", int, required=False, description="one comment's thread"),
        ],
    )
    def get(self, request: Request, video_id: int) -> Response:
        video = published_video(video_id=video_id, user=request.user)
        try:
            page = max(1, int(request.query_params.get("page", "1")))
            thread = request.query_params.get("thread")
            focus_id = int(thread) if thread else None
        except ValueError as exc:
            raise ValidationFailed(_("page and thread are whole numbers.")) from exc
        block = selectors.comment_block(
            video=video, user=request.user, page=page, focus_id=focus_id
        )
        return Response(
            {
                "mode": block.mode,
                "page": block.page,
                "has_more": block.has_more,
                "video_likes": block.video_likes,
                "liked_by_me": block.likes_video,
                "results": [_node_data(node) for node in block.nodes],
            }
        )

    @extend_schema(
        request=CommentInputSerializer,
        responses={201: CommentSerializer},
        summary="Comment on a published video (or reply with `parent`)",
    )
    def post(self, request: Request, video_id: int) -> Response:
        data = _body(request).validated_data
        comment = services.comment_create(
            user=request.user, video_id=video_id, body=data["body"], parent_id=data.get("parent")
        )
        return Response(comment_data(comment), status=status.HTTP_201_CREATED)


class CommentApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=CommentInputSerializer,
        responses=CommentSerializer,
        summary="Edit your comment (within the edit window)",
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        data = _body(request).validated_data
        comment = services.comment_edit(user=request.user, comment_id=comment_id, body=data["body"])
        return Response(comment_data(comment))

    @extend_schema(responses={204: None}, summary="Delete your comment")
    def delete(self, request: Request, comment_id: int) -> Response:
        services.comment_delete(user=request.user, comment_id=comment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RemoveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class CommentRemoveApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=RemoveInputSerializer,
        responses=CommentSerializer,
        summary="Remove a comment (editors)",
    )
    def post(self, request: Request, comment_id: int) -> Response:
        data = RemoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_remove(
            user=request.user, comment_id=comment_id, reason=data.validated_data.get("reason", "")
        )
        return Response(comment_data(comment))


class CommentApproveApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses=CommentSerializer, summary="Approve a held comment")
    def post(self, request: Request, comment_id: int) -> Response:
        comment = services.comment_approve(user=request.user, comment_id=comment_id)
        return Response(comment_data(comment))


class ModeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=CommentMode.choices)


class CommentSettingsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=ModeSerializer,
        responses=ModeSerializer,
        summary="Open, gate or close comments (owner or editors)",
    )
    def put(self, request: Request, video_id: int) -> Response:
        mode = str(request.data.get("mode", "")) if hasattr(request.data, "get") else ""
        row = services.comment_settings_set(user=request.user, video_id=video_id, mode=mode)
        return Response({"mode": row.mode})


class StoryCommentsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=CommentSerializer(many=True),
        summary="Comments of a story: top level newest first, two reply levels each",
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("thread", int, required=False, description="one comment's thread"),
        ],
    )
    def get(self, request: Request, story_id: int) -> Response:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            raise NotFound(_("We could not find that story."))
        try:
            page = max(1, int(request.query_params.get("page", "1")))
            thread = request.query_params.get("thread")
            focus_id = int(thread) if thread else None
        except ValueError as exc:
            raise ValidationFailed(_("page and thread are whole numbers.")) from exc
        block = selectors.comment_block(
            story=story, user=request.user, page=page, focus_id=focus_id
        )
        return Response(
            {
                "page": block.page,
                "has_more": block.has_more,
                "results": [_node_data(node) for node in block.nodes],
            }
        )

    @extend_schema(
        request=CommentInputSerializer,
        responses={201: CommentSerializer},
        summary="Comment on a story (or reply with `parent`)",
    )
    def post(self, request: Request, story_id: int) -> Response:
        data = _body(request).validated_data
        comment = services.comment_create(
            user=request.user, story_id=story_id, body=data["body"], parent_id=data.get("parent")
        )
        return Response(comment_data(comment), status=status.HTTP_201_CREATED)
