"""The Content-Security-Policy holds on the main pages: every page sends it, nothing on them
breaks it (hls.js, websockets, the inline scripts with their nonce), and an injected inline
script does not run."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import Page, expect

from ingest.models import Program
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e

# Collects every violation the browser reports, from the first script of each page on.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240\n240p/index.m3u8\n"
RENDITION = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXTINF:4.000000,\nsegment_00000.ts\n#EXT-X-ENDLIST\n"
)


def _published_video_with_hls() -> int:
    video = VideoFactory(
        state="published",
        published_at=timezone.now(),
        renditions=[
            {"name": "240p", "height": 240, "width": 320, "bandwidth": 400000,
             "playlist": "240p/index.m3u8"},
        ],
    )  # fmt: skip
    prefix = f"videos/{video.key}/v1/"
    for name, content in {
        "master.m3u8": MASTER,
        "240p/index.m3u8": RENDITION,
        "240p/segment_00000.ts": "TS",
    }.items():
        default_storage.save(prefix + name, ContentFile(content.encode()))
    video.output_prefix = prefix
    video.version = 1
    video.save(update_fields=["output_prefix", "version"])
    return int(video.pk)


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("() => window.__cspViolations") or [])


def _policy(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_main_pages_load_without_a_single_csp_violation(server: LiveServer, page: Page) -> None:
    # given a newsroom member who may open every page, a published video and the main program
    person = UserFactory(roles=["reporter", "editor", "staff"], is_staff=True)
    video_id = _published_video_with_hls()
    Program.objects.get_or_create(slug="main", defaults={"name": "Main"})
    page.add_init_script(WATCH_VIOLATIONS)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, server, person.email)
    host = server.url.removeprefix("http://")

    for path in (
        "/",
        f"/videos/{video_id}/",
        "/videos/upload/",
        "/live/go/",
        "/studio/main/",
        "/moderation/",
        "/live/main/",
    ):
        # when the page loads (the player attaches hls.js: a blob: media source and worker)
        response = page.goto(f"{server.url}{path}")
        assert response is not None
        assert response.status == 200, path
        if path == f"/videos/{video_id}/":
            expect(page.locator("video").first).to_have_attribute("src", re.compile(r"^blob:"))
        page.wait_for_load_state("load")

        # then the policy is sent, strict for scripts, and nothing broke it
        policy = _policy(response.headers["content-security-policy"])
        assert "'unsafe-inline'" not in policy["script-src"], path
        assert any(re.fullmatch(r"'nonce-[A-Za-z0-9+/=]+'", s) for s in policy["script-src"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert {f"ws://{host}", f"wss://{host}"} <= set(policy["connect-src"])
        assert {"blob:"} <= set(policy["worker-src"]) & set(policy["media-src"])
        assert _violations(page) == [], path
        assert console == [], path

    # and an inline script someone manages to inject does not run (and is reported)
    page.evaluate(
        """() => new Promise((resolve) => {
             document.addEventListener("securitypolicyviolation", resolve, { once: true });
             const script = document.createElement("script");
             script.textContent = "window.__injected = 1";
             document.body.appendChild(script);
           })"""
    )
    assert page.evaluate("() => window.__injected") is None
    assert _violations(page)[0].startswith("script-src")
