"""Live journeys in headless Chromium: a phone goes live over WHIP, an editor sees and rejects it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from fieldcast.videos.models import Video
from ingest.models import LiveSource, SourceState
from tests.e2e.conftest import LiveServer
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def _log_in(context: BrowserContext, server: LiveServer, email: str) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator(".account-name")).to_be_visible()
    return page


def _phone(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"]
    )
    context.set_default_timeout(20_000)
    return context


def test_reporter_goes_live_editor_sees_moving_preview_and_rejects(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    # given a reporter on a phone and an editor on the sources page
    reporter = UserFactory(email="amara@example.org", display_name="Amara", roles=["reporter"])
    editor = UserFactory(email="desk@example.org", roles=["reporter", "editor"])
    desk = _log_in(context, server, editor.email)
    desk.goto(f"{server.url}/live/sources/")
    expect(desk.locator("#sources-empty")).to_be_visible()
    phone_context = _phone(browser)
    phone = _log_in(phone_context, server, reporter.email)
    phone.goto(f"{server.url}/live/go/")
    expect(phone.get_by_test_id("live-state")).to_have_text("Not live")

    # when the reporter goes live
    phone.fill("#title", "Market fire")
    started = time.monotonic()
    phone.get_by_test_id("go-live").click()

    # then the editor sees the source with a moving preview
    card = desk.get_by_test_id("source-card")
    expect(card).to_have_count(1)
    preview = card.get_by_test_id("source-preview")
    desk.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=source-preview]');"
        " return img && img.dataset.seq !== undefined && img.src.startsWith('data:image/jpeg'); }"
    )
    first_seq, first_src = preview.get_attribute("data-seq"), preview.get_attribute("src")
    desk.wait_for_function(
        "seq => document.querySelector('[data-testid=source-preview]').dataset.seq !== seq",
        arg=first_seq,
    )
    shown_after = time.monotonic() - started
    assert preview.get_attribute("src") != first_src
    expect(card.locator("[data-role=title]")).to_have_text("Market fire")
    expect(card.locator("[data-role=reporter]")).to_have_text("Amara")
    expect(card.get_by_test_id("source-state")).to_have_text("Live")
    expect(card.get_by_test_id("source-stats")).to_contain_text("fps")
    expect(phone.get_by_test_id("live-state")).to_have_text("Live")
    expect(phone.get_by_test_id("state-detail")).to_have_text(
        "You are live. Waiting for an editor."
    )
    print(f"\nsource with a moving preview on the editor's page {shown_after:.2f} s after Go live")

    # when the editor rejects it
    card.get_by_role("button", name="Reject").click()

    # then the reporter's page says so, and the source is rejected
    expect(phone.get_by_test_id("live-state")).to_have_text("Rejected")
    expect(phone.get_by_test_id("state-detail")).to_contain_text(
        "An editor rejected your live stream."
    )
    source = LiveSource.objects.get()
    assert (source.state, source.title, source.protocol) == (
        SourceState.REJECTED,
        "Market fire",
        "whip",
    )
    assert source.reporter_id == reporter.pk

    # and its recording becomes one Video that the worker transcodes into review
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        source.refresh_from_db()
        if source.video_id and source.video.state in ("pending_review", "failed"):
            break
        time.sleep(1)
    assert source.video is not None
    assert (source.video.state, source.video.owner_id) == ("pending_review", reporter.pk)
    assert Video.objects.filter(owner=reporter).count() == 1
    phone_context.close()


def test_reporter_page_reconnects_into_the_same_source(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    # given a reporter who is live
    reporter = UserFactory(email="kofi@example.org", display_name="Kofi", roles=["reporter"])
    phone_context = _phone(browser)
    phone = _log_in(phone_context, server, reporter.email)
    phone.goto(f"{server.url}/live/go/")
    phone.get_by_test_id("go-live").click()
    expect(phone.get_by_test_id("live-state")).to_have_text("Live")
    source = LiveSource.objects.get()
    assert source.connection_count == 1

    # when the camera stops sending (the server hangs up the silent session)
    phone.evaluate("document.getElementById('preview').srcObject.getVideoTracks()[0].stop()")

    # then the page reconnects by itself, into the same source, which never ended
    phone.wait_for_function(
        "() => document.getElementById('preview').srcObject.getVideoTracks()[0].readyState === 'live'",
        timeout=40_000,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        source.refresh_from_db()
        if source.connection_count >= 2 and source.connected:
            break
        time.sleep(0.5)
    assert LiveSource.objects.count() == 1
    assert (source.connection_count, source.connected, source.state) == (2, True, "live")
    expect(phone.get_by_test_id("live-state")).to_have_text("Live")
    phone_context.close()
