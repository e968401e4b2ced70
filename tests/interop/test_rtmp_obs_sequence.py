"""OBS's RTMP conversation (librtmp), replayed command by command over a raw socket: every
answer must come on the message stream and with the transaction id the encoder waits on."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync

from ingest.media.rtmp import start_rtmp_server
from ingest.models import LiveSource, SourceState
from tests.integration.ingest.conftest import wait_for
from tests.integration.ingest.test_rtmp import recording_contents
from tests.interop.rtmp_wire import AUDIO, COMMAND, DATA, VIDEO, Message, WireClient, amf0, flv_tags
from tests.processes import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECONDS, FPS = 4, 15


def obs_like_flv(path: Path) -> Path:
    """A short FLV as OBS encodes it: High profile H.264 with B-frames, 48 kHz stereo AAC."""
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate={FPS}:duration={SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-preset",
            "veryfast",
            "-bf",
            "2",
            "-g",
            str(2 * FPS),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-b:a",
            "160k",
            "-f",
            "flv",
            str(path),
        ],  # fmt: skip
        check=True,
        timeout=60,
    )
    return path


def is_command(name: str, *, transaction_id: float | None = None) -> Callable[[Message], bool]:
    def matches(message: Message) -> bool:
        values = message.command()
        return values[0] == name and (transaction_id is None or values[1] == transaction_id)

    return matches


def test_obs_command_sequence_is_answered_on_the_right_streams_and_goes_live(
    live_settings, stream_secret, tmp_path
) -> None:
    tags = flv_tags(obs_like_flv(tmp_path / "obs.flv"))
    port = free_port()
    tc_url = f"rtmp://127.0.0.1:{port}/live"

    async def scenario() -> dict[str, object]:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        client = await WireClient.connect("127.0.0.1", port)
        answers: dict[str, object] = {}
        try:
            # librtmp's order: connect, then releaseStream, FCPublish and createStream at once
            client.command(
                "connect",
                1,
                {
                    "app": "live",
                    "type": "nonprivate",
                    "flashVer": "FMLE/3.0 (compatible; FMSc/1.0)",
                    "swfUrl": tc_url,
                    "tcUrl": tc_url,
                },
            )
            await client.writer.drain()
            await client.commands_until(is_command("_result", transaction_id=1))
            client.command("releaseStream", 2, None, stream_secret)
            client.command("FCPublish", 3, None, stream_secret)
            client.command("createStream", 4, None)
            await client.writer.drain()
            before_publish = await client.commands_until(is_command("_result", transaction_id=4))
            stream_id = int(before_publish[-1].command()[3])
            client.command("publish", 5, None, stream_secret, "live", stream_id=stream_id)
            await client.writer.drain()
            after_publish = await client.commands_until(is_command("onStatus"))
            answers["before_publish"] = [(m.stream_id, *m.command()[:2]) for m in before_publish]
            answers["fcpublish_codes"] = [
                m.command()[3]["code"] for m in before_publish if m.command()[0] == "onFCPublish"
            ]
            status = after_publish[-1]
            answers["status"] = (stream_id, status.stream_id, status.command()[3]["code"])

            # then metadata and the media, at the pace they were encoded
            client.send(
                DATA, amf0("@setDataFrame") + tags[0][2], stream_id=stream_id, chunk_stream=4
            )
            loop = asyncio.get_running_loop()
            started = loop.time()
            for tag_type, timestamp, body in tags:
                if tag_type not in (AUDIO, VIDEO):
                    continue
                ahead = started + timestamp / 1000 - loop.time()
                if ahead > 0:
                    await asyncio.sleep(ahead)  # pacing the media like a live encoder
                chunk_stream = 6 if tag_type == VIDEO else 7
                client.send(tag_type, body, stream_id=stream_id, timestamp=timestamp,
                            chunk_stream=chunk_stream)  # fmt: skip
                await client.writer.drain()
            source = await wait_for(
                lambda: LiveSource.objects.filter(state=SourceState.LIVE).first()
            )
            answers["went_live"] = source is not None
            client.command("FCUnpublish", 6, None, stream_secret)
            client.command("deleteStream", 7, None, stream_id)
            await client.writer.drain()
            unpublished = await client.commands_until(is_command("onFCUnpublish"))
            answers["unpublish"] = [(m.stream_id, *m.command()[:2]) for m in unpublished]
            await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists())
        finally:
            await client.close()
            server.close()
        return answers

    answers = async_to_sync(scenario)()

    # releaseStream and FCPublish get their _result, FCPublish its onFCPublish; createStream 1
    assert answers["before_publish"] == [
        (0, "_result", 2.0),
        (0, "_result", 3.0),
        (0, "onFCPublish", 0.0),
        (0, "_result", 4.0),
    ]
    assert answers["fcpublish_codes"] == ["NetStream.Publish.Start"]
    # onStatus comes on the stream the publish was sent on
    assert answers["status"] == (1, 1, "NetStream.Publish.Start")
    assert answers["went_live"] is True
    assert answers["unpublish"] == [(0, "_result", 6.0), (0, "onFCUnpublish", 0.0)]
    source = LiveSource.objects.get()
    assert source.state == SourceState.ENDED
    frames, samples = recording_contents(source.video, live_settings.LIVE_RECORDINGS_DIR)
    assert frames >= SECONDS * FPS * 0.8
    assert samples >= 48000 * (SECONDS - 1)


def test_obs_command_sequence_with_a_wrong_key_is_hung_up_without_publish_start(
    live_settings,
) -> None:
    port = free_port()
    tc_url = f"rtmp://127.0.0.1:{port}/live"

    async def scenario() -> list[tuple[int, str]]:
        server = await start_rtmp_server(host="127.0.0.1", port=port)
        client = await WireClient.connect("127.0.0.1", port)
        seen: list[tuple[int, str]] = []
        try:
            client.command("connect", 1, {"app": "live", "type": "nonprivate", "tcUrl": tc_url})
            await client.writer.drain()
            await client.commands_until(is_command("_result", transaction_id=1))
            client.command("releaseStream", 2, None, "fck_wrong")
            client.command("FCPublish", 3, None, "fck_wrong")
            client.command("createStream", 4, None)
            await client.writer.drain()
            await client.commands_until(is_command("_result", transaction_id=4))
            client.command("publish", 5, None, "fck_wrong", "live", stream_id=1)
            await client.writer.drain()

            async def until_hung_up() -> None:
                while True:
                    message = await client.receive()
                    if message.type_id == COMMAND:
                        seen.append((message.stream_id, str(message.command()[0])))

            with pytest.raises(asyncio.IncompleteReadError):
                await asyncio.wait_for(until_hung_up(), 10)
        finally:
            await client.close()
            server.close()
        return seen

    # the key is checked at publish: no onStatus, the connection is closed, no source
    assert async_to_sync(scenario)() == []
    assert LiveSource.objects.count() == 0
