"""Live chat reads: the last messages on join and a reconnecting client's catch-up."""

from __future__ import annotations

import pytest

from community.chat import selectors as chat_selectors
from community.models import ChatMessage, ChatMessageState
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_channels")]


def _messages(channel: str, count: int) -> list[ChatMessage]:
    author = UserFactory(display_name="Writer")
    return [
        ChatMessage.objects.create(
            channel=channel, author=author, author_name="Writer", author_tier="viewer", body=f"m{i}"
        )
        for i in range(count)
    ]


def test_history_gives_the_last_messages_oldest_first(settings):
    # given
    rows = _messages("main", 7)
    _messages("other", 2)

    # when
    batch = chat_selectors.chat_history(channel="main", limit=3)

    # then
    assert [m["body"] for m in batch.messages] == ["m4", "m5", "m6"]
    assert [m["id"] for m in batch.messages] == [r.pk for r in rows[4:]]
    assert batch.gap is False


def test_catch_up_gives_everything_after_the_last_seen_id_and_recent_removals():
    # given a client saw up to m2, then m1 and m4 were removed
    rows = _messages("main", 6)
    ChatMessage.objects.filter(pk__in=[rows[1].pk, rows[4].pk]).update(
        state=ChatMessageState.REMOVED
    )

    # when
    batch = chat_selectors.chat_history(channel="main", after_id=rows[2].pk)

    # then
    assert [m["body"] for m in batch.messages] == ["m3", "m5"]
    assert batch.removed == [rows[1].pk, rows[4].pk]
    assert batch.gap is False


def test_catch_up_after_a_long_absence_says_there_is_a_gap(monkeypatch):
    # given
    monkeypatch.setattr(chat_selectors, "CATCH_UP_MAX", 3)
    rows = _messages("main", 6)

    # when
    batch = chat_selectors.chat_history(channel="main", after_id=rows[0].pk)

    # then the newest three arrive, with the gap marked
    assert [m["body"] for m in batch.messages] == ["m3", "m4", "m5"]
    assert batch.gap is True


def test_history_takes_the_same_number_of_queries_for_any_size(django_assert_num_queries):
    # given
    _messages("main", 40)

    # when / then
    # (one more each: does the chat exist)
    with django_assert_num_queries(2):
        chat_selectors.chat_history(channel="main")
    with django_assert_num_queries(3):
        chat_selectors.chat_history(channel="main", after_id=1)


def test_message_bodies_are_data_not_markup():
    # given
    author = UserFactory()
    message = ChatMessage.objects.create(
        channel="main",
        author=author,
        author_name="<b>x</b>",
        author_tier="viewer",
        body='<img src=x onerror="alert(1)">',
    )

    # when
    data = chat_selectors.message_data(message)

    # then the text is handed over as it was typed; clients set it as text
    assert data["body"] == '<img src=x onerror="alert(1)">'
    assert data["author"]["name"] == "<b>x</b>"
