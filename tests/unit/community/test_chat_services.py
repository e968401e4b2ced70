"""Live chat writes: posting with badges, slow mode, flood limit, mutes, removal, term filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from community.chat import selectors as chat_selectors
from community.chat import services as chat_services
from community.models import ChatMessage, ChatMessageState, ChatMute, ChatSettings, GuestExpert
from fieldcast.core.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points.models import PointsAccount
from tests.factories import UserFactory
from tests.stored_state import stored_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_channels")]


def _age(message: ChatMessage, seconds: int) -> None:
    """Pretend a message was written `seconds` ago."""
    ChatMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_post_stores_the_message_with_the_authors_tier(
    reporter, django_capture_on_commit_callbacks
):
    # given a trusted reporter
    reporter.display_name = "Ada"
    reporter.save(update_fields=["display_name"])
    PointsAccount.objects.create(user=reporter, total=900, tier="trusted")

    # when they write in the main chat
    with django_capture_on_commit_callbacks() as callbacks:
        posted = chat_services.chat_message_post(user=reporter, channel="main", body="  Hello  ")

    # then the message is stored first, with the badge, and one event goes out after commit
    message = ChatMessage.objects.get()
    assert (message.channel, message.body, message.author_name, message.author_tier) == (
        "main",
        "Hello",
        "Ada",
        "trusted",
    )
    assert posted.payload["author"] == {
        "id": reporter.pk,
        "name": "Ada",
        "tier": "trusted",
        "guest_expert": False,
    }
    assert posted.payload["id"] == message.pk
    assert len(callbacks) == 1


def test_a_viewer_without_points_gets_the_viewer_badge(viewer):
    # when
    posted = chat_services.chat_message_post(user=viewer, channel="main", body="hi")

    # then
    assert posted.payload["author"]["tier"] == "viewer"


def test_anonymous_cannot_write(django_capture_on_commit_callbacks):
    # when / then
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(NotAuthenticated):
            chat_services.chat_message_post(user=AnonymousUser(), channel="main", body="hi")
    assert ChatMessage.objects.count() == 0
    assert callbacks == []


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "empty"), ("   \n ", "empty"), ("\x00\x01", "empty"), ("x" * 501, "too_long")],
)
def test_empty_or_too_long_messages_are_refused(viewer, body, code):
    # when
    with pytest.raises(ValidationFailed) as refused:
        chat_services.chat_message_post(user=viewer, channel="main", body=body)

    # then
    assert refused.value.code == code
    assert "body" in refused.value.fields
    assert ChatMessage.objects.count() == 0


def test_a_message_of_exactly_the_limit_is_accepted(viewer):
    # when
    chat_services.chat_message_post(user=viewer, channel="main", body="x" * 500)

    # then
    assert ChatMessage.objects.get().body == "x" * 500


@pytest.mark.parametrize("channel", ["", "Main Room", "a/b", "x" * 51, "<script>"])
def test_a_channel_name_that_cannot_be_a_slug_is_not_found(viewer, channel):
    # when / then
    with pytest.raises(NotFound):
        chat_services.chat_message_post(user=viewer, channel=channel, body="hi")
    assert ChatMessage.objects.count() == 0


def test_the_term_filter_drops_the_message_and_tells_the_sender_only(
    viewer, settings, django_capture_on_commit_callbacks
):
    # given
    settings.MODERATION_TERM_LISTS = {"spam": ["buy followers"]}

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationFailed) as refused:
            chat_services.chat_message_post(
                user=viewer, channel="main", body="Cheap! BUY   followers now"
            )

    # then nothing is stored and nothing is sent to the channel
    assert refused.value.code == "filtered"
    assert "Only you see this note" in refused.value.message
    assert ChatMessage.objects.count() == 0
    assert callbacks == []


def test_slow_mode_makes_a_person_wait_between_messages(viewer, editor):
    # given slow mode of five minutes and a first message
    chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=300)
    first = chat_services.chat_message_post(user=viewer, channel="main", body="one").message

    # when the viewer writes again at once
    with pytest.raises(RateLimited) as refused:
        chat_services.chat_message_post(user=viewer, channel="main", body="two")

    # then it is refused with the time left, and nothing new is stored
    assert refused.value.code == "slow_mode"
    assert refused.value.message == "Slow mode is on: you can write again in 5 minutes."
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["one"]

    # and once the wait is over, the next message goes through
    _age(first, 301)
    chat_services.chat_message_post(user=viewer, channel="main", body="two")
    assert ChatMessage.objects.count() == 2


def test_slow_mode_is_per_channel_and_editors_are_exempt(viewer, editor):
    # given slow mode in "main" only
    chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=60)
    chat_services.chat_message_post(user=viewer, channel="main", body="one")

    # when
    chat_services.chat_message_post(user=viewer, channel="second", body="elsewhere")
    chat_services.chat_message_post(user=editor, channel="main", body="ed 1")
    chat_services.chat_message_post(user=editor, channel="main", body="ed 2")

    # then
    assert ChatMessage.objects.count() == 4


def test_a_flood_from_one_person_is_refused(viewer, django_capture_on_commit_callbacks):
    # given five messages in a few seconds
    for index in range(5):
        chat_services.chat_message_post(user=viewer, channel="main", body=f"m{index}")

    # when a sixth follows
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RateLimited) as refused:
            chat_services.chat_message_post(user=viewer, channel="main", body="m5")

    # then it is refused; nothing is stored or sent
    assert refused.value.code == "flood"
    assert ChatMessage.objects.count() == 5
    assert callbacks == []


def test_the_flood_limit_counts_a_window_only(viewer):
    # given five messages, older than the window
    for index in range(5):
        message = chat_services.chat_message_post(
            user=viewer, channel="main", body=f"m{index}"
        ).message
        _age(message, 11)

    # when
    chat_services.chat_message_post(user=viewer, channel="main", body="later")

    # then
    assert ChatMessage.objects.count() == 6


def test_a_muted_person_gets_a_clear_error_and_nothing_is_stored(viewer, editor):
    # given the editor mutes the viewer for ten minutes
    chat_services.chat_user_mute(user=editor, channel="main", target_id=viewer.pk, seconds=600)

    # when
    with pytest.raises(PermissionDenied) as refused:
        chat_services.chat_message_post(user=viewer, channel="main", body="let me talk")

    # then
    assert refused.value.code == "muted"
    assert refused.value.message == (
        "An editor muted you in this chat. You can write again in 10 minutes."
    )
    assert ChatMessage.objects.count() == 0


def test_a_mute_holds_in_its_channel_only_and_ends(viewer, editor):
    # given
    mute = chat_services.chat_user_mute(
        user=editor, channel="main", target_id=viewer.pk, seconds=60
    )

    # when the viewer writes elsewhere, and in "main" after the mute ended
    chat_services.chat_message_post(user=viewer, channel="second", body="here I can")
    ChatMute.objects.filter(pk=mute.pk).update(until=timezone.now() - timedelta(seconds=1))
    chat_services.chat_message_post(user=viewer, channel="main", body="back")

    # then
    assert list(ChatMessage.objects.values_list("channel", flat=True)) == ["second", "main"]


def test_muting_again_replaces_the_mute(viewer, editor):
    # given
    chat_services.chat_user_mute(user=editor, channel="main", target_id=viewer.pk, seconds=3600)

    # when
    mute = chat_services.chat_user_mute(
        user=editor, channel="main", target_id=viewer.pk, seconds=5, reason="calmer now"
    )

    # then
    assert ChatMute.objects.count() == 1
    assert mute.until <= timezone.now() + timedelta(seconds=5)
    assert mute.reason == "calmer now"


def test_only_editors_mute(viewer, reporter):
    # when / then
    with pytest.raises(PermissionDenied) as refused:
        chat_services.chat_user_mute(user=reporter, channel="main", target_id=viewer.pk, seconds=60)
    assert refused.value.code == "not_editor"
    assert ChatMute.objects.count() == 0


@pytest.mark.parametrize("seconds", [0, -5, 7 * 24 * 3600 + 1])
def test_a_mute_needs_a_sensible_duration(viewer, editor, seconds):
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        chat_services.chat_user_mute(
            user=editor, channel="main", target_id=viewer.pk, seconds=seconds
        )
    assert refused.value.code == "invalid_duration"
    assert ChatMute.objects.count() == 0


def test_editors_cannot_mute_themselves_other_editors_or_nobody(editor):
    # given
    other_editor = UserFactory(roles=["editor"])

    # when / then
    with pytest.raises(ValidationFailed):
        chat_services.chat_user_mute(user=editor, channel="main", target_id=editor.pk, seconds=60)
    with pytest.raises(PermissionDenied) as refused:
        chat_services.chat_user_mute(
            user=editor, channel="main", target_id=other_editor.pk, seconds=60
        )
    assert refused.value.code == "mute_editor"
    with pytest.raises(NotFound):
        chat_services.chat_user_mute(user=editor, channel="main", target_id=999_999, seconds=60)
    assert ChatMute.objects.count() == 0


def test_an_editor_removes_a_message(viewer, editor, django_capture_on_commit_callbacks):
    # given
    message = chat_services.chat_message_post(user=viewer, channel="main", body="oops").message

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        chat_services.chat_message_remove(user=editor, channel="main", message_id=message.pk)

    # then it is kept for the record but leaves the history
    message.refresh_from_db()
    assert (message.state, message.removed_by_id) == (ChatMessageState.REMOVED, editor.pk)
    assert len(callbacks) == 1
    batch = chat_selectors.chat_history(channel="main")
    assert (batch.messages, batch.removed) == ([], [message.pk])


def test_only_editors_remove_and_only_in_the_messages_channel(viewer, editor):
    # given
    message = chat_services.chat_message_post(user=viewer, channel="main", body="mine").message

    # when / then: the author is not an editor
    with pytest.raises(PermissionDenied):
        chat_services.chat_message_remove(user=viewer, channel="main", message_id=message.pk)
    # and the message is not in the channel named
    with pytest.raises(NotFound):
        chat_services.chat_message_remove(user=editor, channel="second", message_id=message.pk)
    message.refresh_from_db()
    assert message.state == ChatMessageState.VISIBLE


def test_slow_mode_is_set_by_editors_only_within_bounds(viewer, editor):
    # when / then
    with pytest.raises(PermissionDenied):
        chat_services.chat_slow_mode_set(user=viewer, channel="main", seconds=10)
    with pytest.raises(ValidationFailed):
        chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=3601)
    with pytest.raises(ValidationFailed):
        chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=-1)
    assert ChatSettings.objects.get(channel="main").slow_mode_seconds == 0
    assert ChatSettings.objects.get(channel="main").updated_by_id is None

    # when
    chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=15)
    chat_services.chat_slow_mode_set(user=editor, channel="main", seconds=0)

    # then
    assert chat_selectors.slow_mode_seconds(channel="main") == 0
    assert ChatSettings.objects.get(channel="main").updated_by_id == editor.pk


def test_a_guest_expert_writes_with_the_badge(viewer, editor):
    # given staff gave the viewer the guest-expert badge
    GuestExpert.objects.create(user=viewer, title="Hydrologist", granted_by=editor)

    # when
    posted = chat_services.chat_message_post(user=viewer, channel="main", body="Levels will drop")

    # then
    assert posted.payload["author"]["guest_expert"] is True
    assert ChatMessage.objects.get().guest_expert is True


def test_the_mute_message_is_in_the_readers_language(viewer, editor):
    # given
    chat_services.chat_user_mute(user=editor, channel="main", target_id=viewer.pk, seconds=600)

    # when
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        chat_services.chat_message_post(user=viewer, channel="main", body="hi")

    # then
    assert refused.value.message == "编辑已在此聊天中将你禁言。10 分钟后可再次发言。"


# --- Chats exist only when the newsroom opens them; mutes can hold in every chat -------------


@pytest.mark.parametrize("channel", ["nobody-opened-this", "event-999999"])
def test_posting_to_a_chat_nobody_opened_is_not_found_and_stores_nothing(viewer, channel):
    # given
    before = stored_state()

    # when / then
    with pytest.raises(NotFound) as refusal:
        chat_services.chat_message_post(user=viewer, channel=channel, body="hello")
    assert refusal.value.code == "no_chat"
    assert stored_state() == before


def test_editors_cannot_open_a_chat_by_setting_slow_mode_or_muting(viewer, editor):
    # given
    before = stored_state()

    # when / then
    with pytest.raises(NotFound):
        chat_services.chat_slow_mode_set(user=editor, channel="new-one", seconds=5)
    with pytest.raises(NotFound):
        chat_services.chat_user_mute(user=editor, channel="new-one", target_id=viewer.pk, seconds=5)
    with pytest.raises(NotFound):
        chat_selectors.chat_history(channel="new-one")
    assert stored_state() == before


def test_a_new_program_opens_its_chat(staff_user, django_capture_on_commit_callbacks):
    # given
    from ingest.program.services import program_create

    # when
    with django_capture_on_commit_callbacks(execute=True):
        program_create(staff=staff_user, slug="night-desk", name="Night desk")

    # then
    assert chat_selectors.chat_channel(channel="night-desk") == "night-desk"


def test_a_program_that_was_refused_opens_no_chat(editor, django_capture_on_commit_callbacks):
    # given
    from ingest.program.services import program_create

    before = stored_state()

    # when an editor (not staff) tries
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        program_create(staff=editor, slug="night-desk", name="Night desk")

    # then
    assert stored_state() == before


def test_a_new_event_opens_its_chat(staff_user):
    # given
    from community.events import services as event_services

    # when
    event = event_services.event_create(
        user=staff_user,
        title="Ask the editors",
        description="Questions welcome.",
        kind="online",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
        capacity=10,
        link="https://example.org/q",
    )

    # then
    assert chat_selectors.chat_channel(channel=f"event-{event.pk}") == f"event-{event.pk}"


def test_a_mute_everywhere_holds_in_every_chat(viewer, editor):
    # given the viewer is muted from "main" but for every chat
    chat_services.chat_user_mute(
        user=editor, channel="main", target_id=viewer.pk, seconds=600, everywhere=True
    )
    before = stored_state()

    # when / then the viewer cannot write in another chat either
    with pytest.raises(PermissionDenied) as refusal:
        chat_services.chat_message_post(user=viewer, channel="second", body="hi")
    assert refusal.value.code == "muted"
    assert refusal.value.message == (
        "An editor muted you in every chat. You can write again in 10 minutes."
    )
    assert stored_state() == before
    assert chat_selectors.chat_muted_until(channel="other", user=viewer) is not None


def test_a_mute_in_one_chat_still_leaves_the_others_open(viewer, editor):
    # given
    chat_services.chat_user_mute(user=editor, channel="main", target_id=viewer.pk, seconds=600)

    # when
    posted = chat_services.chat_message_post(user=viewer, channel="second", body="hi")

    # then
    assert posted.message.channel == "second"
    assert ChatMute.objects.get().channel == "main"
