"""RTMP publishers other than our own: GStreamer's rtmp2sink, FFmpeg as a phone and as OBS sends.

Each client publishes about 10 s of live test media to `start_rtmp_server` on 127.0.0.1; the
source must go live, decode the client's picture size and record the frames it sent.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync

from ingest.media.registry import live_ingest
from ingest.media.rtmp import start_rtmp_server
from ingest.models import LiveSource, SourceState
from tests.integration.ingest.conftest import wait_for
from tests.integration.ingest.test_rtmp import recording_contents
from tests.processes import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECONDS = 10
CLIENT_TIMEOUT = 60.0  # 10 s of media at real time, plus encoder start-up on a busy machine


@dataclass
class Outcome:
    code: int
    stderr: str
    seen_live: bool = False
    live_after: float = 0.0  # seconds from starting the client to the source being live
    size: tuple[int, int] = (0, 0)
    frames_while_live: int = 0
    recorded_frames: int = 0
    recorded_samples: int = 0


def _aac_element() -> str:
    """GStreamer's AAC encoder: gst-libav's, else the VisualOn one (both in Debian)."""
    for element in ("avenc_aac", "voaacenc"):
        found = subprocess.run(  # noqa: S603 - fixed arguments
            ["gst-inspect-1.0", "--exists", element],  # noqa: S607 - Debian's, on PATH
            check=False,
        )
        if found.returncode == 0:
            return element
    raise AssertionError("no GStreamer AAC encoder: install gstreamer1.0-libav")


def gstreamer_command(url: str) -> list[str]:
    fps = 30
    # audiotestsrc sends 1024 samples a buffer at 44.1 kHz.
    audio_buffers = SECONDS * 44100 // 1024
    return [
        "gst-launch-1.0", "-q",
        "videotestsrc", "is-live=true", f"num-buffers={SECONDS * fps}", "pattern=ball", "!",
        f"video/x-raw,width=640,height=360,framerate={fps}/1", "!",
        "x264enc", "tune=zerolatency", "key-int-max=50", "speed-preset=veryfast", "!",
        "h264parse", "!", "flvmux", "streamable=true", "name=m",
        "audiotestsrc", "is-live=true", f"num-buffers={audio_buffers}", "!",
        "audioconvert", "!", "audioresample", "!", _aac_element(), "!", "aacparse", "!", "m.",
        "m.", "!", "rtmp2sink", f"location={url}",
    ]  # fmt: skip


def ffmpeg_phone_command(url: str) -> list[str]:
    """What a phone app sends: 360p portrait-sized baseline H.264, 1 s keyframes, mono AAC."""
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=30:duration={SECONDS}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={SECONDS}",
        "-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-tune", "zerolatency",
        "-g", "30", "-b:v", "800k", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "1", "-b:a", "64k", "-f", "flv", url,
    ]  # fmt: skip


def ffmpeg_obs_command(url: str) -> list[str]:
    """OBS's defaults for a 720p stream: x264 veryfast High profile, 2 B-frames, 2 s keyframes,
    48 kHz stereo AAC at 160 kbit/s."""
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={SECONDS}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
        "-c:v", "libx264", "-profile:v", "high", "-preset", "veryfast", "-bf", "2",
        "-g", "60", "-b:v", "2500k", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "2", "-ar", "48000", "-b:a", "160k", "-f", "flv", url,
    ]  # fmt: skip


def publish_with(
    command_for: Callable[[str], list[str]], secret: str, scratch_dir: Path
) -> Outcome:
    """Run one client against a fresh RTMP server and watch the source it makes."""
    port = free_port()
    url = f"rtmp://127.0.0.1:{port}/live/{secret}"
    command = command_for(url)

    async def scenario() -> Outcome:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        started = asyncio.get_running_loop().time()
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        outcome = Outcome(code=-1, stderr="")

        async def watch(source: LiveSource) -> None:
            # frames keep arriving while it is live, at the size the client encodes
            while True:
                runtime = live_ingest().runtimes.get(source.pk)
                if runtime is None:
                    return
                outcome.size = (runtime.width, runtime.height)
                outcome.frames_while_live = max(outcome.frames_while_live, runtime.frames_total)
                await asyncio.sleep(0.2)

        watcher: asyncio.Task[None] | None = None
        try:
            try:
                source = await wait_for(
                    lambda: LiveSource.objects.filter(state=SourceState.LIVE).first(), within=30
                )
            except AssertionError:
                return outcome  # never live: the finally block collects what the client said
            outcome.seen_live = True
            outcome.live_after = round(asyncio.get_running_loop().time() - started, 2)
            watcher = asyncio.create_task(watch(source))
            await asyncio.wait_for(process.wait(), CLIENT_TIMEOUT)
            # the client is gone: the source ends (unpublish, or the short grace period)
            await wait_for(
                lambda: LiveSource.objects.filter(video__isnull=False).exists(), within=30
            )
            await asyncio.wait_for(watcher, 10)
        finally:
            if process.returncode is None:
                process.kill()
            assert process.stderr is not None  # noqa: S101 - piped above
            outcome.stderr = (await process.stderr.read()).decode(errors="replace")[-2000:]
            outcome.code = await process.wait()
            if watcher is not None:
                watcher.cancel()
            server.close()
        return outcome

    outcome = async_to_sync(scenario)()
    if not outcome.seen_live:
        return outcome
    video = LiveSource.objects.get().video
    outcome.recorded_frames, outcome.recorded_samples = recording_contents(video, scratch_dir)
    return outcome


@pytest.fixture
def interop_settings(live_settings):
    # A client that hangs up without unpublishing ends its source after the grace period.
    live_settings.LIVE_RECONNECT_GRACE_SECONDS = 1.0
    return live_settings


def _assert_went_live(outcome: Outcome, size: tuple[int, int], *, fps: int = 30) -> None:
    print(f"interop: {outcome}")  # the figures docs/interop.md quotes (pytest -s)
    assert outcome.seen_live, f"the source never went live; client said: {outcome.stderr}"
    assert outcome.size == size
    # at least 80 % of the frames sent were decoded and recorded
    assert outcome.frames_while_live >= SECONDS * fps * 0.8, outcome
    assert outcome.recorded_frames >= SECONDS * fps * 0.8, outcome
    assert outcome.recorded_samples >= 48000 * (SECONDS - 2), outcome


def test_gstreamer_rtmp2sink_goes_live(interop_settings, stream_secret) -> None:
    outcome = publish_with(gstreamer_command, stream_secret, interop_settings.LIVE_RECORDINGS_DIR)

    _assert_went_live(outcome, (640, 360))
    assert outcome.code == 0, outcome.stderr


def test_ffmpeg_as_a_phone_goes_live(interop_settings, stream_secret) -> None:
    outcome = publish_with(
        ffmpeg_phone_command, stream_secret, interop_settings.LIVE_RECORDINGS_DIR
    )

    _assert_went_live(outcome, (640, 360))
    assert outcome.code == 0, outcome.stderr


def test_ffmpeg_as_obs_sends_720p_high_with_b_frames_goes_live(
    interop_settings, stream_secret
) -> None:
    outcome = publish_with(ffmpeg_obs_command, stream_secret, interop_settings.LIVE_RECORDINGS_DIR)

    _assert_went_live(outcome, (1280, 720))
    assert outcome.code == 0, outcome.stderr
