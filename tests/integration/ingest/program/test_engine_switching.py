"""What the editor does reaches the program picture: cut, fade, lower third, slate, a clip.

Two real aiortc publishers of different greys; the program's picture (and its sound) is read
back from the engine's runtime.
"""

from __future__ import annotations

import asyncio
import io
from fractions import Fraction

import av
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import AsyncClient
from PIL import Image, ImageStat

from fieldcast.core.events import stop_relay
from ingest import services as ingest_services
from ingest.media.registry import live_ingest
from ingest.models import Program
from ingest.program import services as program_services
from ingest.program.engine import program_engine
from tests.factories import UserFactory, VideoFactory
from tests.integration.ingest.program.engine_support import (
    HEIGHT,
    SLUG,
    WIDTH,
    go_live,
    near,
    picture_luma,
    prepare_program,
    wait_engine_seq,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LUMA_A, LUMA_B, LUMA_CLIP = 200, 110, 60
LUMA_SLATE = 188  # RGB (200, 200, 200) in video range


@pytest.fixture
def program_settings(live_settings, tmp_path):
    live_settings.PROGRAM_WORK_DIR = tmp_path / "program"
    return live_settings


def _clip_bytes(tmp_path) -> bytes:
    """Two seconds of a flat grey at 160x90 (another aspect than the program: letterboxed)."""
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for index in range(50):
            frame = av.VideoFrame(160, 120, "yuv420p")
            for number, plane in enumerate(frame.planes):
                plane.update(bytes([LUMA_CLIP if number == 0 else 128]) * plane.buffer_size)
            frame.pts, frame.time_base = index, Fraction(1, 25)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path.read_bytes()


def test_cut_fade_lower_third_slate_and_clip_change_the_program_picture(
    program_settings, stream_secret, editor, tmp_path, enqueued
) -> None:
    # given a running program, two approved sources of different greys and a published clip
    prepare_program(editor)
    _key, second_secret = ingest_services.stream_key_create(
        user=UserFactory(roles=["reporter"]), name="Second"
    )
    clip_key = default_storage.save("videos/test/clip.mp4", ContentFile(_clip_bytes(tmp_path)))
    clip = VideoFactory(owner=editor, state="published", download_key=clip_key)
    slate_png = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 200, 200)).save(slate_png, format="PNG")
    slate_name = default_storage.save("programs/slates/card.png", ContentFile(slate_png.getvalue()))

    async def scenario() -> dict:
        client = AsyncClient()
        engine = program_engine()
        await engine.start()
        publisher_a, source_a = await go_live(client, stream_secret, LUMA_A, editor)
        publisher_b, source_b = await go_live(client, second_secret, LUMA_B, editor)
        seen: dict[str, object] = {}

        async def do(service, **kwargs) -> None:
            await sync_to_async(service)(slug=SLUG, editor=editor, **kwargs)
            await wait_engine_seq(engine)

        # when the editor cuts A, then B
        await do(program_services.program_cut, source_key=str(source_a.key))
        runtime = engine.runtimes[SLUG]
        await wait_until(lambda: near(picture_luma(runtime), LUMA_A))
        await do(program_services.program_cut, source_key=str(source_b.key))
        cut_ticks = runtime.ticks
        await wait_until(lambda: near(picture_luma(runtime), LUMA_B))
        seen["cut_took_ticks"] = runtime.ticks - cut_ticks

        # a one-second fade back to A passes through the greys between
        await do(program_services.program_fade, source_key=str(source_a.key), duration_ms=1000)
        lumas = []
        for _ in range(30):
            lumas.append(picture_luma(runtime))
            await asyncio.sleep(0.05)
        seen["fade"] = lumas
        await wait_until(lambda: near(picture_luma(runtime), LUMA_A))

        # the lower third covers the bottom of the picture with the reporter's name
        bottom = (WIDTH // 4, HEIGHT - HEIGHT // 6, WIDTH * 3 // 4, HEIGHT - HEIGHT // 10)
        seen["bottom_before"] = ImageStat.Stat(runtime.last_picture.y.crop(bottom)).mean[0]
        await do(program_services.program_set_lower_third, visible=True)
        await asyncio.sleep(0.2)
        seen["bottom_after"] = ImageStat.Stat(runtime.last_picture.y.crop(bottom)).mean[0]
        seen["top_after"] = picture_luma(runtime)

        # the uploaded slate, then the clip (letterboxed: black bars left and right)
        await sync_to_async(Program.objects.filter(slug=SLUG).update)(slate_image=slate_name)
        await do(program_services.program_show_slate)
        await wait_until(lambda: runtime.target == ("slate", slate_name))
        await wait_until(lambda: near(picture_luma(runtime), LUMA_SLATE))
        seen["slate_top_left"] = ImageStat.Stat(runtime.last_picture.y.crop((0, 0, 40, 40))).mean[0]
        await do(program_services.program_play_video, video_id=clip.pk)
        await wait_until(lambda: near(picture_luma(runtime), LUMA_CLIP, 6))
        picture = runtime.last_picture
        seen["clip_bar"] = ImageStat.Stat(picture.y.crop((0, 0, 20, HEIGHT))).mean[0]
        # played out, the clip gives way to the slate
        await wait_until(lambda: near(picture_luma(runtime), LUMA_SLATE), within=6)
        seen["audio_underruns"] = runtime._audio.underruns
        await sync_to_async(program_services.program_stop)(slug=SLUG, editor=editor)
        await wait_until(lambda: SLUG not in engine.runtimes)
        await publisher_a.close()
        await publisher_b.close()
        await engine.stop()
        await live_ingest().close_all()
        await stop_relay()
        return seen

    seen = async_to_sync(scenario)()

    # then the cut took effect on the next frames
    assert seen["cut_took_ticks"] <= 3
    # the fade showed in-between pictures
    assert any(LUMA_B + 15 < luma < LUMA_A - 15 for luma in seen["fade"])
    # the lower third darkened the bottom but left the top alone
    assert near(seen["bottom_before"], LUMA_A)
    assert seen["bottom_after"] < LUMA_A - 60
    assert near(seen["top_after"], LUMA_A)
    # the uploaded slate (4:3, letterboxed) and the clip, letterboxed with black bars
    assert seen["slate_top_left"] < 20
    assert seen["clip_bar"] < 20
