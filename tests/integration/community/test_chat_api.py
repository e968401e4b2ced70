"""Live chat API (/api/v1/community/chat/<channel>/...) and the chat page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.chat import services as chat_services
from community.models import ChatMessage, ChatMessageState, ChatMute, ChatSettings
from tests.factories import UserFactory
from tests.stored_state import stored_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("chat_channels")]


def _messages_url(channel: str = "main") -> str:
    return reverse("api-chat-messages", kwargs={"channel": channel})


@pytest.mark.django_db
def test_anyone_reads_the_history_and_a_signed_in_person_writes(api_client, viewer):
    # given
    api_client.force_authenticate(viewer)

    # when
    posted = api_client.post(_messages_url(), {"body": "hello"}, format="json")
    api_client.force_authenticate(None)
    history = api_client.get(_messages_url())

    # then
    assert posted.status_code == 201
    assert posted.json()["body"] == "hello"
    assert history.status_code == 200
    assert [m["body"] for m in history.json()["messages"]] == ["hello"]
    assert history.json()["removed"] == []


@pytest.mark.django_db
def test_catch_up_by_id_over_the_api(api_client, viewer):
    # given
    first = chat_services.chat_message_post(user=viewer, channel="main", body="one").message
    chat_services.chat_message_post(user=viewer, channel="main", body="two")

    # when
    response = api_client.get(_messages_url(), {"after": first.pk})

    # then
    assert [m["body"] for m in response.json()["messages"]] == ["two"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": ""}, 400, "empty"),
        ({"body": "y" * 10_000}, 400, "too_long"),
        ({}, 400, "invalid"),
    ],
)
def test_bad_messages_get_a_clear_error_and_nothing_is_stored(
    api_client, viewer, payload, status, code
):
    # given
    api_client.force_authenticate(viewer)

    # when
    response = api_client.post(_messages_url(), payload, format="json")

    # then
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert ChatMessage.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_cannot_post(api_client):
    # when
    response = api_client.post(_messages_url(), {"body": "hi"}, format="json")

    # then
    assert response.status_code == 401
    assert ChatMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_after_is_refused(api_client):
    # when
    response = api_client.get(_messages_url(), {"after": "latest"})

    # then
    assert response.status_code == 400
    assert "after" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_flood_over_the_api_is_refused_with_429(api_client, viewer):
    # given
    api_client.force_authenticate(viewer)
    for index in range(5):
        api_client.post(_messages_url(), {"body": f"m{index}"}, format="json")

    # when
    response = api_client.post(_messages_url(), {"body": "m5"}, format="json")

    # then
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "flood"
    assert ChatMessage.objects.count() == 5


@pytest.mark.django_db
def test_an_editor_removes_a_message_and_a_viewer_cannot(api_client, viewer, editor):
    # given
    message = chat_services.chat_message_post(user=viewer, channel="main", body="x").message
    url = reverse("api-chat-message", kwargs={"channel": "main", "message_id": message.pk})

    # when the viewer tries
    api_client.force_authenticate(viewer)
    refused = api_client.delete(url)

    # then
    assert refused.status_code == 403
    message.refresh_from_db()
    assert message.state == ChatMessageState.VISIBLE

    # when the editor does
    api_client.force_authenticate(editor)
    removed = api_client.delete(url)

    # then
    assert removed.status_code == 204
    message.refresh_from_db()
    assert message.state == ChatMessageState.REMOVED


@pytest.mark.django_db
def test_an_editor_mutes_a_person_who_then_cannot_post(api_client, viewer, editor):
    # given
    api_client.force_authenticate(editor)

    # when
    muted = api_client.post(
        reverse("api-chat-mutes", kwargs={"channel": "main"}),
        {"user": viewer.pk, "seconds": 600, "reason": "insults"},
        format="json",
    )
    api_client.force_authenticate(viewer)
    refused = api_client.post(_messages_url(), {"body": "still here"}, format="json")

    # then
    assert muted.status_code == 201
    assert muted.json()["user"] == viewer.pk
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "muted"
    assert "muted you" in refused.json()["error"]["message"]
    assert ChatMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_viewer_cannot_mute(api_client, viewer):
    # given
    other = UserFactory()
    api_client.force_authenticate(viewer)

    # when
    response = api_client.post(
        reverse("api-chat-mutes", kwargs={"channel": "main"}),
        {"user": other.pk, "seconds": 60},
        format="json",
    )

    # then
    assert response.status_code == 403
    assert ChatMute.objects.count() == 0


@pytest.mark.django_db
def test_slow_mode_over_the_api(api_client, viewer, editor):
    # given
    url = reverse("api-chat-settings", kwargs={"channel": "main"})

    # when a viewer tries, then an editor sets 30 seconds
    api_client.force_authenticate(viewer)
    refused = api_client.put(url, {"slow_mode_seconds": 30}, format="json")
    api_client.force_authenticate(editor)
    accepted = api_client.put(url, {"slow_mode_seconds": 30}, format="json")
    bad = api_client.put(url, {"slow_mode_seconds": "soon"}, format="json")

    # then
    assert refused.status_code == 403
    assert accepted.json() == {"slow_mode_seconds": 30}
    assert bad.status_code == 400
    assert api_client.get(url).json() == {"slow_mode_seconds": 30}
    assert ChatSettings.objects.get(channel="main").slow_mode_seconds == 30


@pytest.mark.django_db
def test_the_chat_page_shows_the_panel(client, viewer):
    # given
    client.force_login(viewer)

    # when
    response = client.get(reverse("community:chat", kwargs={"channel": "main"}))

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-channel="main"' in body
    assert 'data-ws="/ws/chat/main/"' in body
    assert 'data-testid="chat-input"' in body


@pytest.mark.django_db
def test_the_chat_page_in_chinese(client):
    # when
    response = client.get(
        reverse("community:chat", kwargs={"channel": "main"}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # then
    body = response.content.decode()
    assert "直播聊天" in body
    assert "登录后即可在聊天中发言。" in body


@pytest.mark.django_db
def test_posting_to_a_chat_nobody_opened_is_a_404_and_stores_nothing(api_client, viewer, client):
    # given a signed-in person and a name no program or event has
    api_client.force_authenticate(viewer)
    before = stored_state()

    # when
    response = api_client.post(_messages_url("my-own-chat"), {"body": "hi"}, format="json")
    page = client.get(reverse("community:chat", kwargs={"channel": "my-own-chat"}))

    # then
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "no_chat",
        "message": "There is no chat with that name.",
        "fields": {},
    }
    assert page.status_code == 404
    assert stored_state() == before


@pytest.mark.django_db
def test_an_editor_mutes_a_person_in_every_chat(api_client, viewer, editor):
    # given
    api_client.force_authenticate(editor)

    # when
    response = api_client.post(
        reverse("api-chat-mutes", kwargs={"channel": "main"}),
        {"user": viewer.pk, "seconds": 60, "everywhere": True},
        format="json",
    )
    api_client.force_authenticate(viewer)
    before = stored_state()
    elsewhere = api_client.post(_messages_url("second"), {"body": "hi"}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["everywhere"] is True
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error"]["code"] == "muted"
    assert stored_state() == before
