"""Live chat API under /api/v1/community/chat/<channel>/: history, post, remove, mute, slow mode.

The same rules as the websocket (`community.chat.consumers.ChatConsumer`): every write goes through
`community.chat.services`, refusals leave in the one error shape. Message bodies are plain text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.chat import selectors as chat_selectors
from community.chat import services as chat_services
from fieldcast.core.errors import ValidationFailed


class ChatAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField(help_text="viewer, citizen, trusted or star")
    guest_expert = serializers.BooleanField()


class ChatMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    body = serializers.CharField(help_text="plain text: show it as text, never as HTML")
    created_at = serializers.DateTimeField()
    author = ChatAuthorSerializer()


class ChatBatchSerializer(serializers.Serializer):
    messages = ChatMessageSerializer(many=True)
    removed = serializers.ListField(child=serializers.IntegerField())
    gap = serializers.BooleanField()


class ChatPostSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ChatMuteSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    seconds = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True)
    everywhere = serializers.BooleanField(
        required=False, default=False, help_text="mute in every chat, not only this one"
    )


class ChatSettingsSerializer(serializers.Serializer):
    slow_mode_seconds = serializers.IntegerField()


def _valid(serializer: serializers.Serializer) -> dict:
    if not serializer.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in serializer.errors.items()}
        raise ValidationFailed(fields=fields)
    return dict(serializer.validated_data)


class ChatMessagesApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=ChatBatchSerializer,
        summary="The last messages of a channel's chat, or those after `after` (catch-up)",
        parameters=[OpenApiParameter("after", int, required=False)],
    )
    def get(self, request: Request, channel: str) -> Response:
        after = request.query_params.get("after")
        try:
            after_id = int(after) if after else None
        except ValueError as exc:
            message = _("after is the id of the last message you saw (a whole number).")
            raise ValidationFailed(message, fields={"after": [message]}) from exc
        batch = chat_selectors.chat_history(channel=channel, after_id=after_id)
        return Response(batch.as_dict())

    @extend_schema(
        request=ChatPostSerializer,
        responses={201: ChatMessageSerializer},
        summary="Write in a channel's chat",
    )
    def post(self, request: Request, channel: str) -> Response:
        data = _valid(ChatPostSerializer(data=request.data))
        posted = chat_services.chat_message_post(
            user=request.user, channel=channel, body=data["body"]
        )
        return Response(posted.payload, status=status.HTTP_201_CREATED)


class ChatMessageApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={204: None}, summary="Remove a chat message (editors)")
    def delete(self, request: Request, channel: str, message_id: int) -> Response:
        chat_services.chat_message_remove(user=request.user, channel=channel, message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChatMutesApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=ChatMuteSerializer,
        responses={
            201: inline_serializer(
                "ChatMuteResult",
                {
                    "user": serializers.IntegerField(),
                    "until": serializers.DateTimeField(),
                    "everywhere": serializers.BooleanField(),
                },
            )
        },
        summary="Stop a person writing in this chat for a number of seconds (editors)",
    )
    def post(self, request: Request, channel: str) -> Response:
        data = _valid(ChatMuteSerializer(data=request.data))
        mute = chat_services.chat_user_mute(
            user=request.user,
            channel=channel,
            target_id=data["user"],
            seconds=data["seconds"],
            reason=data.get("reason", ""),
            everywhere=data["everywhere"],
        )
        return Response(
            {
                "user": mute.user_id,
                "until": mute.until.isoformat(),
                "everywhere": mute.channel == chat_selectors.ALL_CHANNELS,
            },
            status=status.HTTP_201_CREATED,
        )


class ChatSettingsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ChatSettingsSerializer, summary="A channel's chat settings")
    def get(self, request: Request, channel: str) -> Response:
        slug = chat_selectors.chat_channel(channel=channel)
        return Response({"slow_mode_seconds": chat_selectors.slow_mode_seconds(channel=slug)})

    @extend_schema(
        request=ChatSettingsSerializer,
        responses=ChatSettingsSerializer,
        summary="Set slow mode: seconds between two messages per person, 0 for off (editors)",
    )
    def put(self, request: Request, channel: str) -> Response:
        data = _valid(ChatSettingsSerializer(data=request.data))
        row = chat_services.chat_slow_mode_set(
            user=request.user, channel=channel, seconds=data["slow_mode_seconds"]
        )
        return Response({"slow_mode_seconds": row.slow_mode_seconds})
