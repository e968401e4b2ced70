"""Notifications API under /api/v1/community/notifications/: the list, read marks, preferences, digest."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
)
from community.notifications import digest, notify, selectors, services
from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound, ValidationFailed


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
        user = require_user(request.user)
        items = selectors.notifications_for(user=user)[:50]
        return Response(
            {
                "unread": notify.unread_count(user_id=user.pk),
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


def _preferences(user: User, channel: str) -> dict[str, bool]:
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
        return Response(_preferences(require_user(request.user), _channel(request)))

    @extend_schema(
        request=None,
        responses={200: None},
        parameters=[CHANNEL_PARAMETER],
        summary="Turn kinds on or off in one channel",
    )
    def put(self, request: Request) -> Response:
        user = require_user(request.user)
        channel = _channel(request)
        data = request.data if isinstance(request.data, dict) else {}
        if not all(isinstance(v, bool) for v in data.values()):
            raise ValidationFailed(_("Each kind is true or false."))
        unknown = set(data) - set(NotificationKind.values)
        if unknown:
            raise NotFound(_("Unknown notification kind."))
        services.notification_preferences_set(user=user, enabled=data, channel=channel)
        return Response(_preferences(user, channel))


class NotificationDigestApi(APIView):
    """The email digest: off / daily / weekly, and the language it is written in."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="My email digest choice")
    def get(self, request: Request) -> Response:
        row = digest.settings_for(user=require_user(request.user))
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
