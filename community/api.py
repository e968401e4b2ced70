"""Community API under /api/v1/community/: comments, likes, follows, views, notifications.

Same rules as the pages: every write goes through `community.services`, refusals leave in the
one error shape. Comment bodies are returned as plain text plus `html` (escaped, links made
clickable), so API clients never have to sanitise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community import digest, notify, selectors, services
from community.models import (
    Assignment,
    Comment,
    CommentMode,
    CommentState,
    Notification,
    NotificationChannel,
    NotificationKind,
    Story,
    Urgency,
)
from community.rendering import render_comment
from fieldcast.core.errors import NotFound, ValidationFailed
from fieldcast.videos.selectors import video_for_viewer


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
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]


def _has_expert_badge(user: Any) -> bool:
    """Read through the relation the comment block already joined (no query per comment)."""
    try:
        return user.guest_expert is not None
    except ObjectDoesNotExist:
        return False


def comment_data(comment: Comment, *, more_replies: int = 0, replies: Any = ()) -> dict[str, Any]:
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


def _node_data(node: selectors.CommentNode) -> dict[str, Any]:
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
        video = services.published_video(video_id=video_id, user=request.user)
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


class FollowApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Follow a reporter")
    def post(self, request: Request, reporter_id: int) -> Response:
        services.follow_create(user=request.user, reporter_id=reporter_id)
        return Response(
            {"followers": selectors.follower_count(reporter_id=reporter_id)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={204: None}, summary="Stop following a reporter")
    def delete(self, request: Request, reporter_id: int) -> Response:
        services.follow_delete(user=request.user, reporter_id=reporter_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def notification_data(item: Notification) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "actor_name": item.actor.public_name if item.actor else "",
        "video_id": item.video_id,
        "video_title": item.video.title if item.video else "",
        "comment_id": item.comment_id,
        "story_id": item.story_id,
        "assignment_id": item.assignment_id,
        "created_at": item.created_at,
        "read": item.read_at is not None,
    }


class NotificationsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="My notifications, newest first (50)")
    def get(self, request: Request) -> Response:
        items = selectors.notifications_for(user=request.user)[:50]  # type: ignore[arg-type]
        return Response(
            {
                "unread": notify.unread_count(user_id=int(request.user.pk or 0)),
                "results": [notification_data(item) for item in items],
            }
        )


class NotificationsUnreadApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="How many notifications I have not read")
    def get(self, request: Request) -> Response:
        return Response({"unread": notify.unread_count(user_id=int(request.user.pk or 0))})


class NotificationsReadApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: None}, summary="Mark notifications read")
    def post(self, request: Request) -> Response:
        ids = request.data.get("ids") if hasattr(request.data, "get") else None
        if ids is not None and (
            not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)
        ):
            raise ValidationFailed(_("ids is a list of notification ids."))
        changed = services.notifications_mark_read(user=request.user, ids=ids)
        return Response({"marked": changed})


def _channel(request: Request) -> str:
    channel = request.query_params.get("channel", NotificationChannel.APP.value)
    if channel not in NotificationChannel.values:
        message = _("Unknown notification channel.")
        raise ValidationFailed(message, fields={"channel": [message]})
    return channel


def _preferences(user: Any, channel: str) -> dict[str, bool]:
    return {
        pref.kind: pref.in_app if channel == NotificationChannel.APP else pref.email
        for pref in notify.preferences(user=user)
    }


CHANNEL_PARAMETER = OpenApiParameter(
    "channel", str, enum=NotificationChannel.values, description="app (default) or email"
)


class NotificationPreferencesApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: None},
        parameters=[CHANNEL_PARAMETER],
        summary="Which kinds of notification I get (in the app, or in my email digest)",
    )
    def get(self, request: Request) -> Response:
        return Response(_preferences(request.user, _channel(request)))

    @extend_schema(
        request=None,
        responses={200: None},
        parameters=[CHANNEL_PARAMETER],
        summary="Turn kinds on or off in one channel",
    )
    def put(self, request: Request) -> Response:
        channel = _channel(request)
        data = request.data if isinstance(request.data, dict) else {}
        if not all(isinstance(v, bool) for v in data.values()):
            raise ValidationFailed(_("Each kind is true or false."))
        unknown = set(data) - set(NotificationKind.values)
        if unknown:
            raise NotFound(_("Unknown notification kind."))
        services.notification_preferences_set(user=request.user, enabled=data, channel=channel)
        return Response(_preferences(request.user, channel))


class NotificationDigestApi(APIView):
    """The email digest: off / daily / weekly, and the language it is written in."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="My email digest choice")
    def get(self, request: Request) -> Response:
        row = digest.settings_for(user=request.user)  # type: ignore[arg-type]
        return Response({"digest": row.digest, "language": row.language})

    @extend_schema(request=None, responses={200: None}, summary="Choose the email digest")
    def put(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        frequency, language = data.get("digest"), data.get("language", "")
        if not isinstance(frequency, str) or not isinstance(language, str):
            message = _("Send digest (off, daily or weekly) and optionally language.")
            raise ValidationFailed(message)
        row = digest.notification_digest_set(user=request.user, digest=frequency, language=language)
        return Response({"digest": row.digest, "language": row.language})


# --- Assignments ------------------------------------------------------------------------------


class AssignmentInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=10_000)
    brief = serializers.CharField(allow_blank=True, max_length=100_000)
    city = serializers.CharField(allow_blank=True, max_length=10_000)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    points_bonus = serializers.IntegerField(default=0)
    story_id = serializers.IntegerField(required=False, allow_null=True, default=None)


def assignment_data(item: Assignment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "ref": item.ref,
        "title": item.title,
        "brief": item.brief,
        "city": item.city,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "urgency": item.urgency,
        "points_bonus": item.points_bonus,
        "state": item.state,
        "story_id": item.story_id,
        "contributions": getattr(item, "contributions", None),
        "created_at": item.created_at,
    }


class AssignmentsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: None},
        summary="Open assignments: the city given (or yours) first, then by urgency",
        operation_id="community_assignments_list",
        parameters=[OpenApiParameter("city", str, required=False)],
    )
    def get(self, request: Request) -> Response:
        city = str(request.query_params.get("city", ""))[:80]
        if not city and request.user.is_authenticated:
            city = request.user.city
        items = selectors.assignments_open(city=city)[:100]
        return Response({"results": [assignment_data(item) for item in items]})

    @extend_schema(
        request=AssignmentInputSerializer,
        responses={201: None},
        summary="Publish an assignment (editors)",
    )
    def post(self, request: Request) -> Response:
        data = AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.assignment_publish(user=request.user, **data.validated_data)
        return Response(assignment_data(item), status=status.HTTP_201_CREATED)


class AssignmentApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="One assignment and its contributions")
    def get(self, request: Request, assignment_id: int) -> Response:
        page = selectors.assignment_page(assignment_id=assignment_id, user=request.user)
        if page is None:
            raise NotFound(_("We could not find that assignment."))
        data = assignment_data(page.assignment)
        data["accepted"] = page.accepted
        data["acceptances"] = page.acceptances
        data["contributions"] = [
            {
                "video_id": video.pk,
                "title": video.title,
                "reporter_id": video.owner_id,
                "used": video.pk in page.used_ids,
            }
            for video in page.contributions
        ]
        return Response(data)


class AssignmentCloseApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={200: None}, summary="Close an assignment (editors)")
    def post(self, request: Request, assignment_id: int) -> Response:
        item = services.assignment_close(user=request.user, assignment_id=assignment_id)
        return Response(assignment_data(item))


class AssignmentUseApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=None, responses={201: None}, summary="Mark a contribution used (editors)"
    )
    def post(self, request: Request, assignment_id: int, video_id: int) -> Response:
        services.assignment_mark_used(
            user=request.user, assignment_id=assignment_id, video_id=video_id
        )
        return Response({"used": True}, status=status.HTTP_201_CREATED)


# --- Stories ----------------------------------------------------------------------------------


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


# --- Assignments a reporter accepted ----------------------------------------------------------


class AssignmentAcceptApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Accept an open assignment")
    def post(self, request: Request, assignment_id: int) -> Response:
        services.assignment_accept(user=request.user, assignment_id=assignment_id)
        return Response({"accepted": True}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Take an assignment off my list")
    def delete(self, request: Request, assignment_id: int) -> Response:
        services.assignment_withdraw(user=request.user, assignment_id=assignment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssignmentsMineApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="The assignments I accepted, open ones first")
    def get(self, request: Request) -> Response:
        items = selectors.assignments_accepted(user=request.user)[:100]  # type: ignore[arg-type]
        results = []
        for item in items:
            row = assignment_data(item)
            row["mine"] = item.mine  # type: ignore[attr-defined]
            results.append(row)
        return Response({"results": results})


# --- Comments on stories ----------------------------------------------------------------------


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
