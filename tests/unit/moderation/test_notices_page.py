"""The notices page lists a person's moderation outcomes and marks just those read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Notification
from community.notifications import notify
from moderation import services
from tests.factories import UserFactory
from tests.unit.moderation.factories import pending_case, published_video

pytestmark = pytest.mark.django_db


def test_reading_the_notices_page_marks_only_the_moderation_notices_read(client, editor):
    # given
    case = pending_case(title="Bridge at dawn")
    owner = case.video.owner
    services.case_decide(
        case_id=case.pk, editor=editor, decision="reject", reason_code="quality", reason_text=""
    )
    notify.notify_video_liked(video=published_video(owner=owner), liker=UserFactory())
    client.force_login(owner)

    # when
    page = client.get(reverse("moderation-notices"))

    # then
    unread = {n.kind: n.read_at is None for n in Notification.objects.filter(recipient=owner)}
    assert page.status_code == 200
    assert "Bridge at dawn" in page.content.decode()
    assert unread == {"video_rejected": False, "video_liked": True}
