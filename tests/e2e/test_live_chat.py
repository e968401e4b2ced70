"""Live chat in Chromium: two people see each other's messages in under a second (timestamps
taken in the pages), a payload stays text, an editor removes a message and mutes a person, who
then cannot post."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from community.chat import services as chat_services
from community.models import ChatMessage, ChatMessageState, ChatMute
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(autouse=True)
def _main_chat(server: LiveServer) -> None:
    """The newsroom's chat of the main program (each test starts with empty tables)."""
    chat_services.chat_channel_open(channel="main")


def _open_chat(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/community/chat/main/")
    expect(page.get_by_test_id("chat-panel")).to_have_attribute("data-live", "1")


def _send(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def _delivery_ms(sender: Page, receiver: Page, text: str) -> float:
    """Milliseconds from the sender's click to the line showing in the receiver's page."""
    line = receiver.get_by_test_id("chat-message").filter(has_text=text)
    expect(line).to_have_count(1)
    sent = float(sender.get_by_test_id("chat-panel").get_attribute("data-last-sent-ms") or "0")
    received = float(line.get_attribute("data-received-ms") or "0")
    return received - sent


def test_two_people_chat_live_and_an_editor_mutes_one(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given two viewers and an editor, each with the chat open
    ada = UserFactory(display_name="Ada")
    bo = UserFactory(display_name="Bo", roles=["reporter"])
    editor = UserFactory(display_name="Editor Ed", roles=["reporter", "editor"])
    bo_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    ed_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    bo_page, ed_page = bo_context.new_page(), ed_context.new_page()
    ed_page.on("dialog", lambda dialog: dialog.accept())
    try:
        for person, tab in ((ada, page), (bo, bo_page), (editor, ed_page)):
            log_in(tab, server, person.email)
            _open_chat(tab, server)

        # when Ada writes (with a payload that must stay text)
        _send(page, f"Hello Bo {PAYLOAD}")

        # then Bo sees it in under a second, as text, with Ada's badge; no script ran anywhere
        assert _delivery_ms(page, bo_page, "Hello Bo") < 1000
        line = bo_page.get_by_test_id("chat-message").filter(has_text="Hello Bo")
        expect(line.get_by_test_id("chat-text")).to_have_text(f"Hello Bo {PAYLOAD}")
        expect(line.get_by_test_id("chat-tier")).to_have_text("Viewer")
        expect(line.locator("img")).to_have_count(0)

        # when Bo answers, Ada sees it in under a second too
        _send(bo_page, "Hi Ada")
        assert _delivery_ms(bo_page, page, "Hi Ada") < 1000
        for tab in (page, bo_page, ed_page):
            assert tab.evaluate("window.__pwned") is None

        # when the editor removes Ada's first line, it leaves every page
        ed_line = ed_page.get_by_test_id("chat-message").filter(has_text="Hello Bo")
        ed_line.get_by_test_id("chat-remove").click()
        expect(bo_page.get_by_test_id("chat-message").filter(has_text="Hello Bo")).to_have_count(0)
        expect(page.get_by_test_id("chat-message").filter(has_text="Hello Bo")).to_have_count(0)
        assert ChatMessage.objects.get(body__startswith="Hello Bo").state == (
            ChatMessageState.REMOVED
        )

        # when the editor mutes Bo from his line
        bo_line = ed_page.get_by_test_id("chat-message").filter(has_text="Hi Ada")
        bo_line.get_by_test_id("chat-mute").click()

        # then Bo is told at once, and a message he tries to send is refused with a clear error
        expect(bo_page.get_by_test_id("chat-note")).to_contain_text("An editor muted you")
        _send(bo_page, "Can I still talk?")
        expect(bo_page.get_by_test_id("chat-note")).to_contain_text(
            "An editor muted you in this chat. You can write again in 10 minutes."
        )
        assert ChatMute.objects.get().user_id == bo.pk
        assert not ChatMessage.objects.filter(body="Can I still talk?").exists()

        # and Ada can still write; her later line reaching every page proves Bo's refused one,
        # had it been broadcast, would have arrived before it (one socket delivers in order)
        _send(page, "Still here")
        for tab in (page, bo_page, ed_page):
            expect(tab.get_by_test_id("chat-message").filter(has_text="Still here")).to_have_count(
                1
            )
            expect(tab.get_by_test_id("chat-message").filter(has_text="Can I still")).to_have_count(
                0
            )
    finally:
        bo_context.close()
        ed_context.close()


def test_a_chat_survives_a_reload_with_its_history(server: LiveServer, page: Page) -> None:
    # given a viewer who wrote two lines
    viewer = UserFactory(display_name="Cy")
    log_in(page, server, viewer.email)
    _open_chat(page, server)
    _send(page, "first line")
    expect(page.get_by_test_id("chat-message")).to_have_count(1)
    _send(page, "second line")
    expect(page.get_by_test_id("chat-message")).to_have_count(2)

    # when the page is opened again
    page.reload()

    # then the last messages are there, oldest first
    expect(page.get_by_test_id("chat-text")).to_have_text(["first line", "second line"])
