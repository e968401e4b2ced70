"""RTMP publishing from the ffmpeg CLI into pyrtmp: a live source, refusals, one Video."""

from __future__ import annotations

import asyncio

import av
import pytest
from asgiref.sync import async_to_sync
from django.core.files.storage import default_storage

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos import transcoding
from ingest.media.registry import live_ingest
from ingest.media.rtmp import start_rtmp_server
from ingest.models import LiveSource, SourceState
from tests.integration.ingest.conftest import wait_for
from tests.processes import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def recording_contents(video, scratch_dir) -> tuple[int, int]:
    """(video frames, audio samples) of a source's stored recording."""
    path = scratch_dir / f"check-{video.pk}.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(video.source_key, "rb") as handle:
        path.write_bytes(handle.read())
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return frames, 0
        samples = sum(frame.samples for frame in container.decode(audio=0))
    return frames, samples


async def _ffmpeg_publish(url: str, *, seconds: float = 3, codec: str = "libx264") -> int:
    codec_args = ["-c:v", codec]
    if codec == "libx264":
        codec_args += ["-preset", "ultrafast", "-tune", "zerolatency", "-g", "15"]
    process = await asyncio.create_subprocess_exec(
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=15:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        *codec_args, "-c:a", "aac", "-f", "flv", url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), 60)


def test_rtmp_publish_becomes_a_live_source_and_then_one_video(
    live_settings, stream_secret, reporter, enqueued
) -> None:
    port = free_port()

    async def scenario() -> tuple[int, int, list[str]]:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        seen: list[str] = []

        async def watch() -> None:
            source = await wait_for(
                lambda: LiveSource.objects.filter(state=SourceState.LIVE).first()
            )
            seen.append(source.state)
            runtime = live_ingest().runtimes.get(source.pk)
            if runtime is not None:
                seen.append(f"{runtime.width}x{runtime.height}")

        watcher = asyncio.create_task(watch())
        code = await _ffmpeg_publish(f"rtmp://127.0.0.1:{port}/live/{stream_secret}")
        await watcher
        await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists())
        server.close()
        return code, len(live_ingest().sessions), seen

    code, sessions, seen = async_to_sync(scenario)()

    assert code == 0
    assert seen == ["live", "320x240"]
    assert sessions == 0
    source = LiveSource.objects.get()
    assert (source.protocol, source.state, source.reporter) == ("rtmp", "ended", reporter)
    assert source.video is not None
    assert enqueued == [source.video.pk]
    # and the recording holds the picture and the AAC sound (3 s at 48 kHz, give or take)
    frames, samples = recording_contents(source.video, live_settings.LIVE_RECORDINGS_DIR)
    assert frames >= 30
    assert samples >= 48000 * 2


def test_rtmp_wrong_key_is_refused(live_settings) -> None:
    port = free_port()

    async def scenario() -> int:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        code = await _ffmpeg_publish(f"rtmp://127.0.0.1:{port}/live/fck_wrong", seconds=2)
        server.close()
        return code

    assert async_to_sync(scenario)() != 0
    assert LiveSource.objects.count() == 0


def test_rtmp_unsupported_codec_ends_the_source_with_a_reason(live_settings, stream_secret) -> None:
    port = free_port()

    async def scenario() -> int:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        code = await _ffmpeg_publish(
            f"rtmp://127.0.0.1:{port}/live/{stream_secret}", seconds=2, codec="flv1"
        )
        await wait_for(lambda: LiveSource.objects.filter(state=SourceState.ENDED).exists())
        server.close()
        return code

    code = async_to_sync(scenario)()

    assert code != 0
    source = LiveSource.objects.get()
    assert source.state == SourceState.ENDED
    assert "H.264" in source.state_reason
    assert source.video is None


def test_ended_source_becomes_a_video_in_review_with_the_whole_recording(
    live_settings, stream_secret, reporter, enqueued
) -> None:
    # given a 4 s RTMP publish that ended
    port = free_port()

    async def scenario() -> None:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        await _ffmpeg_publish(f"rtmp://127.0.0.1:{port}/live/{stream_secret}", seconds=4)
        await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists())
        server.close()

    async_to_sync(scenario)()
    video = LiveSource.objects.get().video

    # when the uploads pipeline transcodes it (the task the ingest enqueued)
    assert enqueued == [video.pk]
    transcoding.video_transcode(video_id=video.pk)

    # then it waits for review, credited to the reporter, with the whole recording
    video.refresh_from_db()
    assert (video.state, video.owner) == ("pending_review", reporter)
    assert video.width == 320
    assert video.height == 240
    assert 3.0 <= video.duration_seconds <= 5.0
