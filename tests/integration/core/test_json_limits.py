"""Every JSON body the API reads has a size cap and a nesting cap (fieldcast.core.parsers)."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.stored_state import stored_state

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def chat_channel(db: None) -> str:
    from community.models import ChatSettings

    ChatSettings.objects.get_or_create(channel="main")
    return "main"


def _endpoints(chat_channel: str) -> list[str]:
    return ["/api/v1/auth/token/", f"/api/v1/community/chat/{chat_channel}/messages/"]


@pytest.mark.parametrize(("which", "signed_in"), [(0, False), (1, False), (1, True)])
def test_deeply_nested_json_is_a_400_malformed_request_and_nothing_is_stored(
    api_client: APIClient, chat_channel: str, caplog: pytest.LogCaptureFixture, signed_in, which
) -> None:
    # given
    if signed_in:
        api_client.force_authenticate(UserFactory())
    before = stored_state()

    # when
    with caplog.at_level(logging.ERROR):
        response = api_client.post(
            _endpoints(chat_channel)[which], data=DEEP, content_type="application/json"
        )

    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert "32 levels" in response.json()["error"]["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert stored_state() == before


def test_json_nested_past_the_limit_but_within_python_is_refused(
    api_client: APIClient, settings
) -> None:
    # given a body 5 levels deep and a limit of 4
    settings.API_JSON_MAX_DEPTH = 4
    before = stored_state()

    # when
    response = api_client.post(
        "/api/v1/auth/token/",
        data='{"email": [[[["x"]]]], "password": "p"}',
        content_type="application/json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_request",
        "message": "The request body nests lists or objects more than 4 levels deep.",
        "fields": {},
    }
    assert stored_state() == before


def test_json_at_the_depth_limit_is_read(api_client: APIClient, settings) -> None:
    # given a body exactly 4 levels deep
    settings.API_JSON_MAX_DEPTH = 4

    # when
    response = api_client.post(
        "/api/v1/auth/token/",
        data='{"email": [[["x"]]], "password": "p"}',
        content_type="application/json",
    )

    # then the parser let it through: the serializer judges the fields
    assert response.status_code == 400
    assert response.json()["error"]["code"] != "malformed_request"


def test_a_body_over_the_size_limit_is_a_413(api_client: APIClient, chat_channel, settings) -> None:
    # given
    settings.API_JSON_MAX_BYTES = 1000
    api_client.force_authenticate(UserFactory())
    body = '{"body": "' + "x" * 1000 + '"}'
    before = stored_state()

    # when
    response = api_client.post(
        f"/api/v1/community/chat/{chat_channel}/messages/",
        data=body,
        content_type="application/json",
    )

    # then
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": "The request body is larger than 1,000 bytes, the most this address accepts.",
        "fields": {},
    }
    assert stored_state() == before


def test_a_body_at_the_size_limit_is_read(api_client: APIClient, chat_channel, settings) -> None:
    # given a body of exactly the limit
    settings.API_JSON_MAX_BYTES = 100
    api_client.force_authenticate(UserFactory())
    body = '{"body": "' + "x" * (100 - 12) + '"}'
    assert len(body) == 100

    # when
    response = api_client.post(
        f"/api/v1/community/chat/{chat_channel}/messages/",
        data=body,
        content_type="application/json",
    )

    # then
    assert response.status_code == 201


def test_the_refusal_is_in_the_readers_language(api_client: APIClient) -> None:
    # when a Chinese client sends a body nested too deeply
    response = api_client.post(
        "/api/v1/auth/token/",
        data=DEEP,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )

    # then
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请求正文中的列表或对象嵌套超过 32 层。"
