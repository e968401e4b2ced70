"""WHIP publishing with a real aiortc peer on loopback: sources, refusals, end, recording."""

from __future__ import annotations

import asyncio
import json
import random

import av
import pytest
from aiortc.mediastreams import VideoStreamTrack
from asgiref.sync import async_to_sync, sync_to_async
from av import VideoFrame
from django.core.files.storage import default_storage
from django.test import AsyncClient

from ingest import services
from ingest.media.ice import configure_ice
from ingest.media.registry import live_ingest
from ingest.models import LiveSource, SourceState
from tests.factories import UserFactory
from tests.integration.ingest.conftest import Publisher, post_offer, publish, wait_async, wait_for

# Committed rows: the ingest reports from its own database thread, as in production.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _source() -> LiveSource | None:
    return LiveSource.objects.select_related("video").first()


def _live_source() -> LiveSource | None:
    source = _source()
    return source if source is not None and source.state == SourceState.LIVE else None


def test_publish_goes_live_then_delete_ends_it_and_makes_one_video(
    live_settings, stream_secret, reporter, enqueued
) -> None:
    async def scenario() -> dict:
        client = AsyncClient()
        publisher = Publisher()
        response = await publish(client, stream_secret, publisher)
        assert response.status_code == 201
        assert response["Content-Type"] == "application/sdp"
        location = response["Location"]
        assert location.startswith("/live/whip/")
        assert response["ETag"].startswith('"')
        assert "a=candidate:" in response.content.decode()
        assert " 127.0.0.1 " in response.content.decode()

        # the source goes live and frames flow
        source = await wait_for(_live_source)
        ingest = live_ingest()
        runtime = ingest.runtimes[source.pk]
        await wait_async(lambda: runtime.frames_total >= 30 and runtime.latest_frame is not None)
        stats = await runtime.stats()

        # the publisher ends the session
        deleted = await client.delete(
            location, headers={"Authorization": f"Bearer {stream_secret}"}
        )
        await publisher.close()
        return {
            "deleted": deleted.status_code,
            "sessions": len(ingest.sessions),
            "runtimes": len(ingest.runtimes),
            "stats": stats,
        }

    result = async_to_sync(scenario)()

    # then the session is gone, the source ended and its recording became one Video
    assert result["deleted"] == 200
    assert (result["sessions"], result["runtimes"]) == (0, 0)
    assert result["stats"]["width"] == 320
    assert result["stats"]["height"] == 240
    assert result["stats"]["frames"] >= 30
    source = _source()
    assert source.state == SourceState.ENDED
    video = source.video
    assert video is not None
    assert (video.owner, video.state, video.assignment_ref) == (reporter, "uploaded", "A-3")
    assert video.title.startswith("Pixel (live, ")
    assert enqueued == [video.pk]
    with default_storage.open(video.source_key, "rb") as handle:
        data = handle.read()
    assert len(data) == video.source_size > 0
    tmp = live_settings.LIVE_RECORDINGS_DIR / "check.mp4"
    tmp.write_bytes(data)
    with av.open(str(tmp)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(str(tmp)) as container:
        samples = sum(frame.samples for frame in container.decode(audio=0))
    assert frames >= 30
    assert samples >= 24000  # the Opus audio too, half a second at least


def test_wrong_key_is_refused_without_a_peer_connection(live_settings, peer_connections) -> None:
    async def scenario() -> tuple[int, str, str]:
        response = await post_offer(AsyncClient(), "fck_nope", await Publisher().offer())
        return response.status_code, response["WWW-Authenticate"], response.json()["error"]["code"]

    status, challenge, code = async_to_sync(scenario)()

    assert (status, code) == (401, "invalid_stream_key")
    assert challenge.startswith("Bearer")
    assert peer_connections == []
    assert LiveSource.objects.count() == 0


def test_missing_key_is_401(live_settings, peer_connections) -> None:
    async def scenario() -> int:
        return (await post_offer(AsyncClient(), None, await Publisher().offer())).status_code

    assert async_to_sync(scenario)() == 401
    assert peer_connections == []


def test_revoked_key_is_403_without_a_peer_connection(
    live_settings, reporter, peer_connections
) -> None:
    key, secret = services.stream_key_create(user=reporter, name="Old")
    services.stream_key_revoke(user=reporter, key_id=key.pk)

    async def scenario() -> tuple[int, str]:
        response = await post_offer(AsyncClient(), secret, await Publisher().offer())
        return response.status_code, response.json()["error"]["code"]

    assert async_to_sync(scenario)() == (403, "stream_key_revoked")
    assert peer_connections == []
    assert LiveSource.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "malformed_sdp"),
        ("hello", "malformed_sdp"),
        ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no_video"),
    ],
)
def test_bad_offers_are_400_with_a_clear_message(
    live_settings, stream_secret, peer_connections, body, code
) -> None:
    async def scenario() -> tuple[int, dict]:
        response = await post_offer(AsyncClient(), stream_secret, body)
        return response.status_code, response.json()["error"]

    status, error = async_to_sync(scenario)()

    assert (status, error["code"]) == (400, code)
    assert error["message"]
    assert peer_connections == []
    assert LiveSource.objects.count() == 0


def test_audio_only_offer_is_400_no_video(live_settings, stream_secret) -> None:
    async def scenario() -> tuple[int, str]:
        publisher = Publisher(video=False)
        response = await post_offer(AsyncClient(), stream_secret, await publisher.offer())
        await publisher.close()
        return response.status_code, response.json()["error"]["code"]

    assert async_to_sync(scenario)() == (400, "no_video")
    assert LiveSource.objects.count() == 0


def test_wrong_content_type_is_415(live_settings, stream_secret) -> None:
    async def scenario() -> int:
        response = await post_offer(
            AsyncClient(), stream_secret, "{}", headers={"Content-Type": "application/json"}
        )
        return response.status_code

    assert async_to_sync(scenario)() == 415


def test_options_patch_and_cors(live_settings) -> None:
    async def scenario() -> tuple:
        client = AsyncClient()
        options = await client.options("/live/whip/")
        patch = await client.patch(
            "/live/whip/abc/", data="a=x", content_type="application/trickle-ice-sdpfrag"
        )
        return options, patch

    options, patch = async_to_sync(scenario)()

    assert options.status_code == 204
    assert options["Access-Control-Allow-Origin"] == "*"
    assert "POST" in options["Access-Control-Allow-Methods"]
    assert "Authorization" in options["Access-Control-Allow-Headers"]
    assert "Location" in options["Access-Control-Expose-Headers"]
    assert options["Accept-Post"] == "application/sdp"
    assert patch.status_code == 405


def test_delete_with_another_users_key_is_refused(live_settings, stream_secret) -> None:
    other = UserFactory(roles=["reporter"])
    _key, other_secret = services.stream_key_create(user=other, name="Theirs")

    async def scenario() -> tuple[int, int, int]:
        client = AsyncClient()
        publisher = Publisher()
        response = await publish(client, stream_secret, publisher)
        await wait_for(_live_source)
        location = response["Location"]
        theirs = await client.delete(location, headers={"Authorization": f"Bearer {other_secret}"})
        unknown = await client.delete(
            "/live/whip/0000/", headers={"Authorization": f"Bearer {stream_secret}"}
        )
        sessions = len(live_ingest().sessions)
        await client.delete(location, headers={"Authorization": f"Bearer {stream_secret}"})
        await publisher.close()
        return theirs.status_code, unknown.status_code, sessions

    theirs, unknown, sessions = async_to_sync(scenario)()

    # then the refused DELETEs changed nothing: the owner's own DELETE ended it afterwards
    assert (theirs, unknown, sessions) == (403, 404, 1)
    assert LiveSource.objects.get().state == SourceState.ENDED
    assert LiveSource.objects.get().state_reason == ""


def test_second_publish_with_same_key_replaces_the_first_session(
    live_settings, stream_secret
) -> None:
    async def scenario() -> tuple[int, int, str, int]:
        client = AsyncClient()
        first, second = Publisher(), Publisher()
        one = await publish(client, stream_secret, first)
        await wait_for(_live_source)
        two = await publish(client, stream_secret, second)
        ingest = live_ingest()
        first_state = ingest.sessions.get(one["Location"].split("/")[-2])
        await asyncio.sleep(0.5)
        count = len(ingest.sessions)
        await client.delete(two["Location"], headers={"Authorization": f"Bearer {stream_secret}"})
        await first.close()
        await second.close()
        return one.status_code, two.status_code, str(first_state), count

    one, two, first_state, count = async_to_sync(scenario)()

    assert (one, two, first_state, count) == (201, 201, "None", 1)
    assert LiveSource.objects.count() == 1
    assert LiveSource.objects.get().connection_count == 2


def test_dropped_publisher_reconnects_into_the_same_source(live_settings, stream_secret) -> None:
    async def scenario() -> tuple[int, int]:
        client = AsyncClient()
        first = Publisher()
        await publish(client, stream_secret, first)
        source = await wait_for(_live_source)
        # the phone vanishes (no DELETE): the server notices and waits for a reconnect
        await first.close()
        await wait_for(lambda: not LiveSource.objects.get(pk=source.pk).connected)
        second = Publisher()
        again = await publish(client, stream_secret, second)
        ingest = live_ingest()
        try:
            await wait_async(lambda: len(ingest.sessions) == 1)
        except AssertionError:
            raise AssertionError(
                f"sessions={ingest.sessions!r} runtimes={ingest.runtimes!r} "
                f"again={again.status_code} {again.content[:300]!r}"
            ) from None
        await client.delete(again["Location"], headers={"Authorization": f"Bearer {stream_secret}"})
        await second.close()
        return again.status_code, source.pk

    status, source_id = async_to_sync(scenario)()

    assert status == 201
    source = LiveSource.objects.get()
    assert (source.pk, source.connection_count, source.state) == (source_id, 2, "ended")


def test_editor_reject_hangs_up_the_publisher(live_settings, stream_secret, editor) -> None:
    async def scenario() -> tuple[int, str]:
        client = AsyncClient()
        publisher = Publisher()
        await publish(client, stream_secret, publisher)
        source = await wait_for(_live_source)
        await sync_to_async(services.source_decide)(
            source_key=str(source.key), editor=editor, action="reject"
        )
        ingest = live_ingest()
        await wait_async(lambda: not ingest.sessions and not ingest.runtimes)
        await wait_async(lambda: publisher.pc.connectionState in ("closed", "failed"), within=40)
        state = publisher.pc.connectionState
        await publisher.close()
        return len(ingest.sessions), state

    sessions, _state = async_to_sync(scenario)()

    assert sessions == 0
    assert LiveSource.objects.get().state == SourceState.REJECTED


def test_a_thousand_garbage_requests_leave_the_endpoint_working(
    live_settings, stream_secret, peer_connections
) -> None:
    rng = random.Random(9725)  # noqa: S311 - deterministic garbage

    def garbage() -> tuple[str, str | None, str, bytes]:
        method = rng.choice(["POST", "POST", "POST", "DELETE", "PATCH", "GET", "PUT"])
        secret = rng.choice([None, "", "fck_" + "x" * rng.randint(0, 40), stream_secret])
        content_type = rng.choice(["application/sdp", "text/plain", "", "application/sdp; x"])
        body = rng.choice(
            [
                b"",
                bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))),
                b"v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
                b"v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",
                b"v=0\r\n" + b"a=x\r\n" * 2000,
            ]
        )
        return method, secret, content_type, body

    async def scenario() -> tuple[set[int], int]:
        client = AsyncClient()
        statuses = set()
        for _ in range(1000):
            method, secret, content_type, body = garbage()
            headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
            path = "/live/whip/" if method in ("POST", "GET", "PUT") else "/live/whip/zz/"
            response = await client.generic(
                method, path, data=body, content_type=content_type, headers=headers
            )
            statuses.add(response.status_code)
            if response.status_code >= 400 and response.status_code != 405:
                assert response.json()["error"]["message"]  # a clear error, every time
        # nothing was left behind: no source, no session, every peer connection closed
        ingest = live_ingest()
        assert (await sync_to_async(LiveSource.objects.count)(), len(ingest.sessions)) == (0, 0)
        assert all(pc.connectionState == "closed" for pc in peer_connections)
        publisher = Publisher()
        ok = await publish(client, stream_secret, publisher)
        await wait_for(_live_source)
        await client.delete(ok["Location"], headers={"Authorization": f"Bearer {stream_secret}"})
        await publisher.close()
        return statuses, ok.status_code

    statuses, final = async_to_sync(scenario)()

    assert all(400 <= status < 500 for status in statuses), statuses
    assert final == 201
    assert LiveSource.objects.count() == 1


class _FreezingTrack(VideoStreamTrack):
    """A camera that sends a second of frames and then nothing (the page's camera froze)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def recv(self) -> VideoFrame:
        if self.sent >= 30:
            await asyncio.Event().wait()  # never again
        pts, time_base = await self.next_timestamp()
        self.sent += 1
        frame = VideoFrame(320, 240, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(self.sent * 9) % 200 + 16]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


def test_a_stalled_publisher_is_hung_up_and_its_source_ends_after_the_grace(
    live_settings, stream_secret, enqueued
) -> None:
    # given a short grace and a publisher whose picture freezes after a second
    live_settings.LIVE_RECONNECT_GRACE_SECONDS = 2.0

    async def scenario() -> tuple[bool, int, int]:
        client = AsyncClient()
        publisher = Publisher(video=False, audio=False)
        publisher.pc.addTransceiver(_FreezingTrack(), direction="sendonly")
        configure_ice(publisher.pc, host_addresses=["127.0.0.1"])
        await publish(client, stream_secret, publisher)
        source = await wait_for(_live_source)
        # when no frame comes for LIVE_STALL_SECONDS: the ingest hangs up and waits the grace
        waited = await wait_for(
            lambda: not LiveSource.objects.get(pk=source.pk).connected, within=15
        )
        ingest = live_ingest()
        sessions_after_stall = len(ingest.sessions)
        # then, nobody coming back, the source ends and its recording becomes the Video
        await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists(), within=20)
        await publisher.close()
        return waited, sessions_after_stall, len(ingest.runtimes)

    waited, sessions_after_stall, runtimes = async_to_sync(scenario)()

    assert (waited, sessions_after_stall, runtimes) == (True, 0, 0)
    source = LiveSource.objects.get()
    assert (source.state, source.connection_count) == (SourceState.ENDED, 1)
    assert source.state_reason == "The connection did not come back."
    assert enqueued == [source.video_id]


# --- A body that is too large is a 413, whether or not a Content-Length says so -----------------

BIG_OFFER = "v=0\r\n" + ("a=x-pad:" + "y" * 90 + "\r\n") * 2000  # about 200 KB


@pytest.mark.parametrize("with_length", [True, False])
def test_a_200_kb_offer_is_413_payload_too_large(
    live_settings, stream_secret, peer_connections, with_length
) -> None:
    # given a 200 KB body, announced or sent without a Content-Length (chunked)
    from django.test import AsyncRequestFactory

    from ingest.views import whip_endpoint
    from tests.stored_state import stored_state

    request = AsyncRequestFactory().post(
        "/live/whip/",
        data=BIG_OFFER,
        content_type="application/sdp",
        headers={"Authorization": f"Bearer {stream_secret}"},
    )
    if not with_length:
        del request.META["CONTENT_LENGTH"]
    before = stored_state()

    # when
    response = async_to_sync(whip_endpoint)(request)

    # then
    assert response.status_code == 413
    body = json.loads(response.content)
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["message"] == (
        f"The SDP offer is {len(BIG_OFFER):,} bytes; we accept at most 65,536 bytes."
    )
    assert peer_connections == []
    assert stored_state() == before
