"""A reporter uploads a clip from the phone page, watches both progress bars, and once an editor
publishes it an anonymous viewer plays it with a quality menu."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from playwright.sync_api import Browser, Page, Route, expect

from fieldcast.core.s3 import s3_storage
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos.models import Upload, Video
from fieldcast.videos.services import video_publish
from tests.e2e.conftest import LiveServer, log_in
from tests.e2e.waiting import wait_for_js
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def _clip(tmp_path: Path) -> Path:
    """A 3 s 320x240 H.264/AAC clip, generated (never a checked-in binary)."""
    path = tmp_path / "street.mp4"
    subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-shortest", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def _allow_browser_reads_from_s3(server_url: str) -> None:
    """On S3, hls.js fetches presigned segments from the bucket's origin: it needs CORS."""
    if settings.STORAGE != "s3":
        return
    storage = s3_storage()
    client = storage.connection.meta.client
    client.put_bucket_cors(
        Bucket=storage.bucket_name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [server_url],
                    "AllowedMethods": ["GET", "HEAD"],
                    "AllowedHeaders": ["*"],
                }
            ]
        },
    )


def test_reporter_uploads_and_viewer_plays_after_publication(
    server: LiveServer, page: Page, browser: Browser, tmp_path: Path
) -> None:
    # given a reporter on the upload page with a clip from the phone
    reporter = UserFactory(roles=["reporter"])
    editor = UserFactory(roles=["reporter", "editor"])
    clip = _clip(tmp_path)
    _allow_browser_reads_from_s3(server.url)
    log_in(page, server, reporter.email)
    page.click("nav a:has-text('Upload')")
    expect(page.locator("h1")).to_have_text("Upload a video")

    # when they pick the clip, give it a title and start
    page.set_input_files("#upload-file", str(clip))
    expect(page.get_by_test_id("upload-chosen")).to_contain_text("street.mp4")
    page.fill("#upload-title", "Street market at dawn")
    page.fill("#upload-description", "Stalls opening on Broad Street.")
    page.click("#upload-start")

    # then the upload bar, then the processing bar reach the end, then it waits for review
    expect(page.get_by_test_id("upload-percent")).to_have_text("100%", timeout=30_000)
    expect(page.get_by_test_id("processing-percent")).to_have_text("100%", timeout=90_000)
    expect(page.get_by_test_id("upload-status")).to_contain_text("Waiting for review")
    video = Video.objects.get(owner=reporter)
    assert video.state == "pending_review"
    assert (video.title, video.source_name) == ("Street market at dawn", "street.mp4")

    # and "My videos" says so too
    page.click("nav a:has-text('My videos')")
    expect(page.get_by_test_id("state").first).to_have_text("Waiting for review")

    # when an editor publishes it (service call until the moderation journey covers it)
    video_publish(video=video, editor=editor, verification="Checked with the reporter.")

    # then an anonymous viewer plays it, with Auto and each rendition in the quality menu
    viewer = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    try:
        watch = viewer.new_page()
        watch.goto(f"{server.url}/videos/{video.pk}/")
        expect(watch.locator("h1")).to_have_text("Street market at dawn")
        expect(watch.locator("main")).to_contain_text(f"By {reporter.public_name}")
        options = watch.get_by_test_id("quality").locator("option").all_inner_texts()
        names = [rendition["name"] for rendition in Video.objects.get(pk=video.pk).renditions]
        assert options == ["Auto", *sorted(names, key=lambda n: -int(re.sub(r"\D", "", n)))]
        assert names
        watch.evaluate("document.getElementById('player').muted = true")
        watch.evaluate("document.getElementById('player').play()")
        wait_for_js(watch, "document.getElementById('player').currentTime > 0.5", timeout=30_000)
        levels = watch.evaluate("window.fieldcastHls.levels.map(l => l.height)")
        assert sorted(levels) == sorted(
            r["height"] for r in Video.objects.get(pk=video.pk).renditions
        )
    finally:
        viewer.close()


def test_a_clip_picked_before_the_page_script_ran_is_uploaded(
    server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # given the upload page's script arriving late, as over a slow phone network
    reporter = UserFactory(roles=["reporter"])
    clip = _clip(tmp_path)

    def late(route: Route) -> None:
        response = route.fetch()
        body = f"setTimeout(function () {{\n{response.text()}\n}}, 1500);"
        route.fulfill(response=response, body=body)

    page.route("**/js/upload*.js", late)
    log_in(page, server, reporter.email)
    page.goto(f"{server.url}/videos/upload/")

    # when the reporter picks the clip before the script listens for it
    page.set_input_files("#upload-file", str(clip))

    # then the page still knows the clip once its script runs, and uploads it
    expect(page.get_by_test_id("upload-chosen")).to_contain_text("street.mp4")
    page.fill("#upload-title", "Picked early")
    page.click("#upload-start")
    expect(page.get_by_test_id("upload-percent")).to_have_text("100%", timeout=30_000)
    assert Video.objects.get(owner=reporter).title == "Picked early"


def test_upload_resumes_after_the_page_is_reloaded(
    server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # given a reporter uploading a 6 MB file over a slow (throttled) connection
    reporter = UserFactory(roles=["reporter"])
    data = os.urandom(6 * 1024 * 1024)
    big = tmp_path / "long-take.mp4"
    big.write_bytes(data)
    log_in(page, server, reporter.email)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )
    page.goto(f"{server.url}/videos/upload/")
    page.set_input_files("#upload-file", str(big))
    page.fill("#upload-title", "Long take")
    page.click("#upload-start")
    wait_for_js(
        page,
        "parseInt(document.getElementById('upload-percent').textContent) >= 20",
        timeout=30_000,
    )

    # when the page is reloaded mid-upload and the same file is picked again
    page.reload()
    upload = Upload.objects.get(owner=reporter)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.set_input_files("#upload-file", str(big))
    page.fill("#upload-title", "Long take")
    page.click("#upload-start")

    # then it continues the same upload (no second one) and finishes with every byte
    expect(page.get_by_test_id("upload-status")).to_contain_text(
        "Found an unfinished upload of this file"
    )
    expect(page.get_by_test_id("upload-percent")).to_have_text("100%", timeout=30_000)
    expect(page.locator("#processing")).to_be_visible()  # the server answered the last PATCH
    upload.refresh_from_db()
    assert Upload.objects.filter(owner=reporter).count() == 1
    assert (upload.state, upload.offset) == ("complete", len(data))
    with default_storage.open(upload.video.source_key, "rb") as stored:
        assert hashlib.sha1(stored.read(), usedforsecurity=False).hexdigest() == (
            hashlib.sha1(data, usedforsecurity=False).hexdigest()
        )
