"""The header navigation shows each person the links of their roles, and nothing more."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from fieldcast.navigation import navigation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _links(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item["url"] for item in navigation(request)["nav_items"]]


def test_anonymous_visitors_see_only_public_pages() -> None:
    links = _links(AnonymousUser())
    assert "/" in links
    assert not {"/videos/upload/", "/moderation/", "/moderation/notices/", "/live/go/"} & set(links)


def test_a_reporter_sees_upload_go_live_and_notices_but_not_editor_pages() -> None:
    links = _links(UserFactory(roles=["reporter"]))
    assert {"/videos/upload/", "/live/go/", "/moderation/notices/"} <= set(links)
    assert not {"/moderation/", "/live/sources/"} & set(links)


def test_an_editor_also_sees_moderation_and_live_sources() -> None:
    links = _links(UserFactory(roles=["reporter", "editor"]))
    assert {"/moderation/", "/live/sources/", "/videos/upload/"} <= set(links)
