"""The watch page offers viewers a way to report a published video."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _page(video, user=None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("video-watch", args=[video.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_logged_in_viewer_can_report_but_not_the_owner_or_anonymous() -> None:
    # given a published video
    video = VideoFactory(state="published", published_at=timezone.now())
    report_url = reverse("moderation-report-video", args=[video.pk])
    # then a logged-in viewer sees the report link; its owner and anonymous visitors do not
    assert report_url in _page(video, UserFactory())
    assert report_url not in _page(video, video.owner)
    assert report_url not in _page(video)
