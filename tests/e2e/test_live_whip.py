"""Live journeys in headless Chromium: a phone goes live over WHIP, an editor sees and rejects it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, Route, expect

from fieldcast.videos.models import Video
from ingest.models import LiveSource, SourceState
from tests.e2e.conftest import LiveServer, log_in, wait_until
from tests.e2e.waiting import wait_for_js
from tests.factories import UserFactory
from tests.integration.ingest.impairment import ImpairedLink, sdp_point_at, sdp_udp_address

pytestmark = pytest.mark.e2e


def _reconnected(source: LiveSource) -> bool:
    """The source took a second connection and is connected again (read fresh)."""
    source.refresh_from_db()
    return source.connection_count >= 2 and source.connected


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
    desk = log_in(context, server, editor.email)
    desk.goto(f"{server.url}/live/sources/")
    expect(desk.locator("#sources-empty")).to_be_visible()
    phone_context = _phone(browser)
    phone = log_in(phone_context, server, reporter.email)
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
    wait_for_js(
        desk,
        "() => { const img = document.querySelector('[data-testid=source-preview]');"
        " return img && img.dataset.seq !== undefined && img.src.startsWith('data:image/jpeg'); }",
    )
    first_seq, first_src = preview.get_attribute("data-seq"), preview.get_attribute("src")
    wait_for_js(
        desk,
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
    def recorded() -> bool:
        source.refresh_from_db()
        return bool(source.video_id and source.video.state in ("pending_review", "failed"))

    wait_until(recorded, timeout=120)
    assert source.video is not None
    video = source.video
    assert (video.state, video.owner_id, video.state_reason) == ("pending_review", reporter.pk, "")
    assert Video.objects.filter(owner=reporter).count() == 1
    phone_context.close()


def test_reporter_page_reconnects_into_the_same_source(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    # given a reporter who is live
    reporter = UserFactory(email="kofi@example.org", display_name="Kofi", roles=["reporter"])
    phone_context = _phone(browser)
    phone = log_in(phone_context, server, reporter.email)
    phone.goto(f"{server.url}/live/go/")
    phone.get_by_test_id("go-live").click()
    expect(phone.get_by_test_id("live-state")).to_have_text("Live")
    source = LiveSource.objects.get()
    assert source.connection_count == 1

    # when the camera stops sending (the server hangs up the silent session)
    phone.evaluate("document.getElementById('preview').srcObject.getVideoTracks()[0].stop()")

    # then the page reconnects by itself, into the same source, which never ended
    wait_for_js(
        phone,
        "() => document.getElementById('preview').srcObject.getVideoTracks()[0].readyState === 'live'",
        timeout=40_000,
    )
    wait_until(lambda: _reconnected(source), timeout=40)
    assert LiveSource.objects.count() == 1
    assert (source.connection_count, source.connected, source.state) == (2, True, "live")
    expect(phone.get_by_test_id("live-state")).to_have_text("Live")
    phone_context.close()


class ImpairedNetwork:
    """The phone's 3G: every WHIP session of the page goes through its own ImpairedLink
    (750 kbit/s, 150 ± 50 ms, 3 % loss, loopback only), run in a thread of its own.

    `outage()` darkens every link; `restore()` brings the network back for links made since, not
    for the old path (a phone back from an outage usually has a new address: the old 5-tuple is
    gone), so the page has to reconnect rather than ride on its old connection."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.links: list[ImpairedLink] = []
        self.dark = False
        self._dead: list[ImpairedLink] = []

    def _call(self, fn: Callable[[], object]) -> None:
        asyncio.run_coroutine_threadsafe(self._run(fn), self.loop).result(5)

    async def _run(self, fn: Callable[[], object]) -> None:
        fn()

    def handle_whip(self, route: Route, request: Request) -> None:
        """Playwright route for POST /live/whip/: a new link, candidates pointed at it."""
        if request.method != "POST":
            route.fallback()
            return
        offer = request.post_data or ""
        link = ImpairedLink(publisher=sdp_udp_address(offer))
        asyncio.run_coroutine_threadsafe(link.start(), self.loop).result(5)
        if self.dark:
            self._call(link.outage)
        self.links.append(link)
        response = route.fetch(post_data=sdp_point_at(offer, link.ingest_side))
        body = response.text()
        if response.status == 201:
            link.ingest = sdp_udp_address(body)
            body = sdp_point_at(body, link.publisher_side)
        route.fulfill(response=response, body=body)

    def outage(self) -> None:
        self.dark = True
        self._dead = list(self.links)
        for link in self._dead:
            self._call(link.outage)

    def restore(self) -> None:
        self.dark = False
        for link in self.links:
            if link not in self._dead:
                self._call(link.restore)

    def close(self) -> None:
        for link in self.links:
            self._call(link.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _network_story(server: LiveServer, network: ImpairedNetwork) -> str:
    """For a failure message: what each link carried and what the server said of the sessions."""
    links = [
        f"link {n}: up {link.up.stats}, down {link.down.stats}"
        for n, link in enumerate(network.links)
    ]
    said = server.log_lines("session", "stalled", "whip", "WHIP", "Traceback", "ERROR", last=40)
    return "\n".join([*links, said])


def test_reporter_page_over_3g_rides_out_an_outage_into_the_same_source(
    server: LiveServer, browser: Browser
) -> None:
    # given a reporter on the go-live page, on a 3G-like network, with the 3G preset
    reporter = UserFactory(email="esi@example.org", display_name="Esi", roles=["reporter"])
    network = ImpairedNetwork()
    phone_context = _phone(browser)
    phone = log_in(phone_context, server, reporter.email)
    phone.route(lambda url: urlparse(url).path == "/live/whip/", network.handle_whip)
    phone.goto(f"{server.url}/live/go/")
    phone.select_option("#quality", "3g")
    try:
        # when it goes live and films for 20 s
        phone.get_by_test_id("go-live").click()
        expect(phone.get_by_test_id("live-state")).to_have_text("Live")
        phone.wait_for_timeout(20_000)  # sync Playwright runs route handlers only while waiting
        source = LiveSource.objects.get()
        frames_before = source.stats.get("frames", 0)
        assert (source.state, source.connected, source.connection_count) == (
            "live",
            True,
            1,
        ), _network_story(server, network)
        assert frames_before > 0

        # and the network drops everything for 5 s
        network.outage()
        phone.wait_for_timeout(5_000)
        network.restore()

        # then the page reconnects by itself into the same source, which never ended
        wait_until(
            lambda: _reconnected(source), timeout=45, pause=lambda: phone.wait_for_timeout(500)
        )
        assert (source.state, source.connected) == ("live", True), _network_story(server, network)
        assert source.connection_count >= 2, _network_story(server, network)
        assert LiveSource.objects.count() == 1
        assert len(network.links) >= 2
        assert network.links[0].up.stats.lost > 0  # the link really was lossy
        expect(phone.get_by_test_id("live-state")).to_have_text("Live")

        # and frames flow again (the ingest stores its stats every few seconds)
        def flowing() -> bool:
            source.refresh_from_db()
            return source.stats.get("frames", 0) > frames_before + 30

        wait_until(flowing, timeout=20, pause=lambda: phone.wait_for_timeout(1_000))
        assert source.stats.get("frames", 0) > frames_before + 30, _network_story(server, network)
    finally:
        phone_context.close()
        network.close()
