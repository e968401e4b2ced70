"""The program keeps going when its source goes: HLS without a gap, slate at once, cut back.

Real aiortc publishers on loopback, the real studio services, the real FFmpeg encoder and the
program HLS served from storage through its view.
"""

from __future__ import annotations

import asyncio

import av
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.test import AsyncClient, Client

from fieldcast.core.events import stop_relay
from fieldcast.videos.models import Video
from ingest.media.registry import live_ingest
from ingest.models import Program, ProgramLogEntry
from ingest.program import services as program_services
from ingest.program.engine import program_engine
from ingest.program.hls import playlist_segments
from tests.integration.ingest.conftest import publish, wait_for
from tests.integration.ingest.program.engine_support import (
    SLUG,
    GreyPublisher,
    go_live,
    near,
    picture_luma,
    prepare_program,
    segment_video_pts,
    wait_engine_seq,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SOURCE_LUMA = 200
SLATE_LUMA = 37  # the default slate's background


@pytest.fixture
def program_settings(live_settings, tmp_path):
    live_settings.PROGRAM_WORK_DIR = tmp_path / "program"
    return live_settings


async def _fetch(client: AsyncClient, path: str) -> tuple[object, bytes] | None:
    response = await client.get(path)
    if response.status_code != 200:
        return None
    assert isinstance(response, FileResponse)  # segments and playlists are served as files
    return response, b"".join(response.streaming_content)


async def _collect_segments(
    client: AsyncClient, store: dict[str, bytes], stop: asyncio.Event
) -> None:
    """What a player does: fetch the top variant's playlist and every new segment it lists."""
    while not stop.is_set():
        playlist = await _fetch(client, f"/live/{SLUG}/180p.m3u8")
        for name in playlist_segments(playlist[1].decode()) if playlist else []:
            if name not in store:
                segment = await _fetch(client, f"/live/{SLUG}/{name}")
                if segment is not None:
                    store[name] = segment[1]
        await asyncio.sleep(0.3)


def test_source_drop_shows_slate_within_a_second_hls_goes_on_and_cuts_back(
    program_settings, stream_secret, editor, enqueued
) -> None:
    # given a running program at 320x180 with an approved grey source cut to it
    prepare_program(editor)
    program_services.program_set_cutaway(slug=SLUG, editor=editor, after_seconds=0.5, min_kbps=0)

    async def scenario() -> dict:
        client = AsyncClient()
        engine = program_engine()
        await engine.start()
        segments: dict[str, bytes] = {}
        stop = asyncio.Event()
        collector = asyncio.create_task(_collect_segments(client, segments, stop))
        publisher, source = await go_live(client, stream_secret, SOURCE_LUMA, editor)
        await sync_to_async(program_services.program_cut)(
            slug=SLUG, editor=editor, source_key=str(source.key)
        )
        await wait_engine_seq(engine)
        runtime = engine.runtimes[SLUG]
        await wait_until(lambda: near(picture_luma(runtime), SOURCE_LUMA))
        master = None
        while master is None:
            master = await _fetch(client, f"/live/{SLUG}/index.m3u8")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)

        # when the publisher disappears
        await publisher.close()
        to_slate = await wait_until(lambda: near(picture_luma(runtime), SLATE_LUMA), within=5)
        on_air = runtime.target
        await wait_for(lambda: Program.objects.get(slug=SLUG).auto_cutaway_active)

        # and comes back (a new connection with the same key: the same source)
        again = GreyPublisher(SOURCE_LUMA)
        assert (await publish(client, stream_secret, again)).status_code == 201
        await wait_until(lambda: runtime.target == ("source", source.pk), within=20)
        back_luma_ok = await wait_until(lambda: near(picture_luma(runtime), SOURCE_LUMA))
        await asyncio.sleep(1.5)
        stop.set()
        await collector
        await sync_to_async(program_services.program_stop)(slug=SLUG, editor=editor)
        await wait_until(lambda: SLUG not in engine.runtimes)
        await wait_for(
            lambda: Video.objects.filter(source_key__startswith="live/programs/").first()
        )
        await again.close()
        await engine.stop()
        await live_ingest().close_all()
        await stop_relay()
        return {
            "to_slate": to_slate,
            "on_air": on_air,
            "segments": segments,
            "master": master[0],
            "master_text": master[1].decode(),
            "back": back_luma_ok,
        }

    result = async_to_sync(scenario)()

    # then the slate was on program within a second of the last frame
    assert result["to_slate"] < 1.0
    assert result["on_air"] == ("slate", None)
    # the studio logged the automatic cut-away and the cut back, with no editor behind them
    program = Program.objects.get(slug=SLUG)
    actions = list(
        ProgramLogEntry.objects.filter(program=program, actor__isnull=True)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["auto_cutaway", "auto_cutback"]
    assert program.auto_cutaway_active is False
    # the HLS master names the three renditions and is never cached
    assert result["master"]["Content-Type"] == "application/vnd.apple.mpegurl"
    assert result["master"]["Cache-Control"] == "no-cache"
    assert [line for line in result["master_text"].splitlines() if line.endswith(".m3u8")] == [
        "180p.m3u8",
        "90p.m3u8",
        "60p.m3u8",
    ]
    # every segment a player fetched follows the previous one without a gap, across the drop
    names = sorted(result["segments"])
    assert len(names) >= 6
    times = [segment_video_pts(result["segments"][name]) for name in names]
    for previous, current in zip(times, times[1:], strict=False):
        assert current[0] == pytest.approx(previous[-1] + 1 / 25, abs=1e-3)
    # and the whole program was recorded into one Video for moderation
    video = Video.objects.get(source_key__startswith="live/programs/")
    assert video.state == "uploaded"
    assert video.pk in enqueued  # (the source's own recording is the other one)
    with default_storage.open(video.source_key, "rb") as handle:
        data = handle.read()
    recording = program_settings.PROGRAM_WORK_DIR / "check.mp4"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(data)
    with av.open(str(recording)) as container:
        stream = container.streams.video[0]
        pts = [float(f.pts * stream.time_base) for f in container.decode(stream)]
    gaps = [b - a for a, b in zip(pts, pts[1:], strict=False)]
    assert len(pts) >= 25 * 8
    assert max(gaps) == pytest.approx(1 / 25, abs=1e-3)


@pytest.mark.parametrize(
    "path",
    [
        f"/live/{SLUG}/missing.m3u8",
        f"/live/{SLUG}/missing_00001.ts",
        f"/live/{SLUG}/..%2Fsecret.ts",
        f"/live/{SLUG}/index.mp4",
    ],
)
def test_program_files_that_are_not_there_or_not_hls_are_404(path) -> None:
    # given nothing stored under that name (and nothing an HLS player would ask for)
    default_storage.save("live/other.ts", ContentFile(b"not for players"))

    # when a player asks
    response = Client().get(path)

    # then
    assert response.status_code == 404


def test_a_killed_encoder_is_restarted_and_hls_goes_on(program_settings, editor, enqueued) -> None:
    # given a running program (on the slate) already writing HLS
    prepare_program(editor)

    async def scenario() -> tuple[int, list[str]]:
        client = AsyncClient()
        engine = program_engine()
        await engine.start()
        await wait_engine_seq(engine)
        runtime = engine.runtimes[SLUG]
        await wait_until(
            lambda: runtime.uploader is not None and runtime.uploader.segments_uploaded > 0
        )

        # when FFmpeg dies
        runtime.encoder.process.kill()

        # then a new one takes over and its segments reach the playlist
        await wait_until(lambda: runtime.encoder_restarts == 1 and runtime.encoder.alive)
        names: list[str] = []

        async def new_segments() -> bool:
            playlist = await _fetch(client, f"/live/{SLUG}/180p.m3u8")
            names[:] = playlist_segments(playlist[1].decode()) if playlist else []
            return any(f"{runtime.run_id}r1_" in name for name in names)

        deadline = asyncio.get_running_loop().time() + 15
        while not await new_segments():
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.2)
        restarts = runtime.encoder_restarts
        await engine.stop()
        await stop_relay()
        return restarts, names

    restarts, names = async_to_sync(scenario)()

    assert restarts == 1
    assert names
