"""The bell's count arrives live over /ws/me/ when a moderation outcome or a comment reaches a person,
in the embedded mode (in-memory layer + database relay) and the scaled one (Redis in CI)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.utils import timezone

from community.comments import services as community_services
from community.models import Notification
from community.notifications import notify
from fieldcast.core import events
from moderation import services as moderation_services
from tests.factories import UserFactory, VideoFactory
from tests.integration.videos.test_me_socket import Socket, mode  # noqa: F401 - the fixture
from tests.unit.moderation.factories import pending_case

pytestmark = pytest.mark.integration


async def _socket(user) -> Socket:
    communicator = Socket(user)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def test_the_bell_rings_live_for_a_moderation_outcome_and_a_comment(mode, transactional_db):  # noqa: F811
    # given a reporter with the site open, a clip in review and a published one
    case = pending_case(title="Bridge")
    reporter = case.video.owner
    editor = UserFactory(roles=["editor"])
    published = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    stranger = UserFactory()

    async def drain(socket: Socket) -> list[int]:
        counts = []
        while not await socket.receive_nothing(timeout=1.0):
            event = await socket.receive_json_from(timeout=1)
            if event["type"] == "notification.unread":
                counts.append(event["unread"])
        return counts

    async def scenario() -> tuple[list[int], int, list[int], int, bool]:
        reporter_socket = await _socket(reporter)
        stranger_socket = await _socket(stranger)
        try:
            # when an editor approves the clip, then a viewer comments on the other one
            await database_sync_to_async(moderation_services.case_decide)(
                case_id=case.pk, editor=editor, decision="approve"
            )
            after_approval = await drain(reporter_socket)
            unread_then = await database_sync_to_async(notify.unread_count)(user_id=reporter.pk)
            await database_sync_to_async(community_services.comment_create)(
                user=stranger, video_id=published.pk, body="Well filmed"
            )
            after_comment = await drain(reporter_socket)
            unread_now = await database_sync_to_async(notify.unread_count)(user_id=reporter.pk)
            stranger_heard = not await stranger_socket.receive_nothing(timeout=0.6)
            return after_approval, unread_then, after_comment, unread_now, stranger_heard
        finally:
            await reporter_socket.disconnect()
            await stranger_socket.disconnect()
            await events.stop_relay()

    # when
    after_approval, unread_then, after_comment, unread_now, stranger_heard = async_to_sync(
        scenario
    )()

    # then the last count pushed is the bell's real count each time
    assert Notification.objects.filter(recipient=reporter, kind="video_approved").count() == 1
    assert after_approval[-1] == unread_then >= 1
    assert after_comment == [unread_then + 1] == [unread_now]
    assert stranger_heard is False
