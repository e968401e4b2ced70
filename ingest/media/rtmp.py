"""RTMP ingest (`rtmp://HOST:1935/live/<stream key>`) with pyrtmp, in the same event loop.

pyrtmp parses the RTMP chunks; FLV video tags become `av.Packet`s decoded by PyAV (the AVC
sequence header is the decoder's extradata). Decoding runs in one thread per connection, in order.
Only H.264 video is taken; another codec ends the source with a reason a person can read.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import av
from bitstring import BitStream
from django.utils.translation import gettext as _
from pyrtmp import StreamClosedException
from pyrtmp.amf.serializers import AMF0Deserializer, AMF0Serializer
from pyrtmp.messages import Chunk
from pyrtmp.messages.audio import AudioMessage
from pyrtmp.messages.command import (
    NCConnect,
    NCCreateStream,
    NSCloseStream,
    NSDeleteStream,
    NSPublish,
)
from pyrtmp.messages.protocol_control import (
    SetChunkSize,
    SetPeerBandwidth,
    WindowAcknowledgementSize,
)
from pyrtmp.messages.user_control import StreamBegin
from pyrtmp.messages.video import VideoMessage
from pyrtmp.rtmp import RTMPProtocol, SimpleRTMPController
from pyrtmp.session_manager import SessionManager

from fieldcast.core.errors import ApplicationError
from ingest.media.pipeline import SourceRuntime
from ingest.media.registry import LiveIngest, PublishSession, live_ingest

logger = logging.getLogger(__name__)
# pyrtmp sets its own logger to DEBUG at import: one line per chunk otherwise.
logging.getLogger("pyrtmp").setLevel(logging.WARNING)
logging.getLogger("pyrtmp.rtmp").setLevel(logging.WARNING)
# It warns of every command it does not parse itself, though encoders send releaseStream and
# FCPublish on every publish: the controller answers those and logs the others.
logging.getLogger("pyrtmp.messages.command").setLevel(logging.ERROR)

APP_NAME = "live"
FLV_CODEC_AVC = 7
AVC_SEQUENCE_HEADER = 0
AVC_NALU = 1
FLV_SOUND_AAC = 10
AAC_SEQUENCE_HEADER = 0
AAC_RAW = 1
# What aiortc's Opus decoder hands over for WHIP: every source's audio looks the same downstream.
AUDIO_FORMAT, AUDIO_LAYOUT, AUDIO_RATE = "s16", "stereo", 48000
COMMAND_AMF0 = 0x14
COMMAND_CHUNK_STREAM = 3  # where encoders send, and expect, NetConnection/NetStream commands
OUT_CHUNK_SIZE = 8192
ACK_WINDOW = 5_000_000


def send(session: SessionManager, *messages: Chunk) -> None:
    """Write messages, each with a full (type 0) chunk header.

    pyrtmp compresses a header against the previous message written on any chunk stream, while
    the spec (and every client) decodes it against the previous chunk on the same chunk stream: a
    command then inherits another stream's message stream id. GStreamer's rtmp2sink received its
    NetStream.Publish.Start on message stream 0 that way and waited forever. A full header costs
    11 bytes per command.
    """
    for message in messages:
        session.previous_chunk_for_writing = None
        session.write_chunk_to_stream(message)
    session.previous_chunk_for_writing = None


def command(name: str, transaction_id: float, *arguments: object, message_stream: int = 0) -> Chunk:
    """An AMF0 command message (`_result`, `onStatus`, ...) on a message stream."""
    data = BitStream()
    for value in (name, transaction_id, *arguments):
        AMF0Serializer.create_object(data, value)
    payload = data.bytes
    return Chunk(
        chunk_type=0,
        chunk_id=COMMAND_CHUNK_STREAM,
        timestamp=0,
        msg_length=len(payload),
        msg_type_id=COMMAND_AMF0,
        msg_stream_id=message_stream,
        payload=payload,
    )


def stream_begin(stream_id: int) -> StreamBegin:
    """User control "Stream Begin" for `stream_id`; control messages travel on message stream 0
    (pyrtmp puts them on the stream they name)."""
    message = StreamBegin(stream_id=stream_id)
    message.msg_stream_id = 0
    return message


def status(level: str, code: str, description: str, **extra: object) -> dict[str, object]:
    return {"level": level, "code": code, "description": description, **extra}


def transaction_id_of(message: Any) -> float:
    """The transaction id of a command pyrtmp does not parse (releaseStream, FCPublish); 0, which
    asks for no answer, if the payload cannot be read."""
    data = BitStream(bytes(message.payload))
    try:
        AMF0Deserializer.from_stream(data)  # the command name, already known
        value = AMF0Deserializer.from_stream(data)
    except Exception:  # noqa: BLE001 - pyrtmp's AMF reader raises anything on bad input
        return 0.0
    return float(value) if isinstance(value, int | float) else 0.0


@dataclass
class RtmpSession(PublishSession):
    connection: SessionManager | None = None
    decoder: av.VideoCodecContext | None = None  # H.264, once the sequence header arrived
    audio_decoder: av.AudioCodecContext | None = None  # AAC, once its sequence header arrived
    resampler: av.AudioResampler | None = None
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-rtmp")
    )
    ended_cleanly: bool = False

    async def hang_up(self) -> None:
        self.pool.shutdown(wait=False)
        if self.connection is not None:
            self.connection.writer.close()


@dataclass
class _Connection:
    app: str = ""
    session: RtmpSession | None = None
    runtime: SourceRuntime | None = None
    refused: bool = False
    audio_frames: int = 0


def _decode(decoder: av.VideoCodecContext, payload: bytes, pts: int) -> list[av.VideoFrame]:
    packet = av.Packet(payload)
    packet.pts = pts
    return list(decoder.decode(packet))


def _decode_audio(
    decoder: av.AudioCodecContext, resampler: av.AudioResampler, payload: bytes
) -> list[av.AudioFrame]:
    """AAC access unit -> 48 kHz stereo s16 frames (blocking)."""
    frames = []
    for frame in decoder.decode(av.Packet(payload)):
        frame.pts = None
        frames.extend(resampler.resample(frame))
    return frames


class IngestRtmpController(SimpleRTMPController):
    """pyrtmp's controller with stream keys, live sources and decoding."""

    def __init__(self, ingest: LiveIngest | None = None) -> None:
        self._ingest = ingest
        # Our state per pyrtmp session, kept here rather than on pyrtmp's object; the server makes
        # one controller per TCP connection, so this goes when the connection does.
        self._states: dict[SessionManager, _Connection] = {}

    @property
    def ingest(self) -> LiveIngest:
        return self._ingest or live_ingest()

    def state(self, session: SessionManager) -> _Connection:
        return self._states.setdefault(session, _Connection())

    async def on_nc_connect(self, session: SessionManager, message: NCConnect) -> None:
        self.state(session).app = str((message.command_object or {}).get("app", "")).strip("/")
        send(
            session,
            WindowAcknowledgementSize(ack_window_size=ACK_WINDOW),
            SetPeerBandwidth(ack_window_size=ACK_WINDOW, limit_type=2),
            stream_begin(0),
            SetChunkSize(chunk_size=OUT_CHUNK_SIZE),
        )
        session.writer_chunk_size = OUT_CHUNK_SIZE
        send(session, message.create_response())
        await session.drain()

    async def on_nc_create_stream(self, session: SessionManager, message: NCCreateStream) -> None:
        # pyrtmp answers stream id 1: one publish per connection is all an encoder makes.
        send(session, message.create_response())
        await session.drain()

    async def on_ns_publish(self, session: SessionManager, message: NSPublish) -> None:
        state = self.state(session)
        secret = str(message.publishing_name or "").split("?", 1)[0]
        if state.app != APP_NAME:
            logger.info("RTMP publish to unknown application %r refused", state.app)
            await self._refuse(session, state)
            return
        try:
            key = await self.ingest.authorize(secret)
            published, runtime = await self.ingest.begin(
                secret=secret,
                protocol="rtmp",
                title="",
                make_session=lambda grant, session_id: RtmpSession(
                    session_id=session_id,
                    user_id=key.user_id,
                    source_id=grant.source_id,
                    source_key=grant.source_key,
                    connection=session,
                ),
            )
        except ApplicationError as error:
            logger.info("RTMP publish refused: %s", error.message)
            await self._refuse(session, state)
            return
        assert isinstance(published, RtmpSession)  # noqa: S101 - made just above
        state.session, state.runtime = published, runtime
        runtime.attach(session_id=published.session_id, stats_probe=None)
        # Answered on the publishing message stream: clients wait for onStatus there.
        stream = int(message.msg_stream_id)
        send(
            session,
            stream_begin(stream),
            command(
                "onStatus",
                0,
                None,
                status("status", "NetStream.Publish.Start", "Start publishing"),
                message_stream=stream,
            ),
        )
        await session.drain()

    async def _refuse(self, session: SessionManager, state: _Connection) -> None:
        state.refused = True
        session.writer.close()
        raise StreamClosedException()

    async def on_video_message(self, session: SessionManager, message: VideoMessage) -> None:
        state = self.state(session)
        published, runtime = state.session, state.runtime
        if published is None or runtime is None or published.closing:
            return
        control = message.control[0] if message.control else 0
        if control & 0x0F != FLV_CODEC_AVC:
            await self.ingest.end_session(
                published,
                reason=_("The stream's video codec is not supported: send H.264 over RTMP."),
            )
            raise StreamClosedException()
        data = bytes(message.data)
        if len(data) < 5:
            return
        if data[0] == AVC_SEQUENCE_HEADER:
            decoder = av.CodecContext.create("h264", "r")
            decoder.extradata = data[4:]
            published.decoder = decoder
            return
        if data[0] != AVC_NALU or published.decoder is None:
            return
        loop = asyncio.get_running_loop()
        try:
            frames = await loop.run_in_executor(
                published.pool, _decode, published.decoder, data[4:], int(message.timestamp)
            )
        except av.error.FFmpegError as error:
            logger.info("RTMP packet of session %s not decoded: %s", published.session_id, error)
            return
        except RuntimeError:
            return  # the pool was shut down: the session is closing
        for frame in frames:
            runtime.on_video_frame(frame, published.session_id)

    async def on_audio_message(self, session: SessionManager, message: AudioMessage) -> None:
        state = self.state(session)
        published, runtime = state.session, state.runtime
        if published is None or runtime is None or published.closing:
            return
        control = message.control[0] if message.control else 0
        data = bytes(message.data)
        if control >> 4 != FLV_SOUND_AAC or len(data) < 2:
            runtime.on_audio_frame(published.session_id)  # counted, not recorded
            return
        if data[0] == AAC_SEQUENCE_HEADER:
            decoder = av.CodecContext.create("aac", "r")
            decoder.extradata = data[1:]
            published.audio_decoder = decoder
            published.resampler = av.AudioResampler(
                format=AUDIO_FORMAT, layout=AUDIO_LAYOUT, rate=AUDIO_RATE
            )
            runtime.expect_audio()  # before the first picture opens the recording
            return
        if data[0] != AAC_RAW or published.audio_decoder is None or published.resampler is None:
            return
        loop = asyncio.get_running_loop()
        try:
            frames = await loop.run_in_executor(
                published.pool,
                _decode_audio,
                published.audio_decoder,
                published.resampler,
                data[1:],
            )
        except av.error.FFmpegError as error:
            logger.info("RTMP audio of session %s not decoded: %s", published.session_id, error)
            return
        except RuntimeError:
            return  # the pool was shut down: the session is closing
        for frame in frames:
            runtime.on_audio_frame(published.session_id, frame)

    async def on_ns_close_stream(self, session: SessionManager, message: NSCloseStream) -> None:
        await self._ended(session)

    async def on_ns_delete_stream(self, session: SessionManager, message: NSDeleteStream) -> None:
        await self._ended(session)

    async def on_unknown_message(self, session: SessionManager, message: Any) -> None:
        """The commands encoders add around publish (OBS/librtmp, FFmpeg, GStreamer send
        releaseStream and FCPublish before createStream, FCUnpublish before deleteStream).

        Answered as nginx-rtmp and Wowza do: `_result` when the transaction id asks for an
        answer (0 means none), and onFCPublish / onFCUnpublish, which some encoders wait for.
        """
        name = getattr(message, "command_name", None)
        if name not in ("releaseStream", "FCPublish", "FCUnpublish"):
            if name is not None:
                logger.info("RTMP command %r ignored", name)
            return
        transaction_id = transaction_id_of(message)
        answers: list[Chunk] = []
        if transaction_id:
            answers.append(command("_result", transaction_id, None, None))
        if name == "FCPublish":
            answers.append(
                command(
                    "onFCPublish",
                    0,
                    None,
                    status("status", "NetStream.Publish.Start", "FCPublish"),
                )
            )
        elif name == "FCUnpublish":
            answers.append(
                command(
                    "onFCUnpublish",
                    0,
                    None,
                    status("status", "NetStream.Unpublish.Success", "FCUnpublish"),
                )
            )
        if answers and not session.writer.is_closing():
            send(session, *answers)
            try:
                await session.drain()
            except ConnectionError:
                # FFmpeg hangs up right after FCUnpublish without reading the answer.
                if name != "FCUnpublish":
                    raise StreamClosedException() from None
        if name == "FCUnpublish":
            # An encoder stopping says so here first; answered before the recording is closed,
            # which takes a while.
            await self._ended(session)

    async def _ended(self, session: SessionManager) -> None:
        published = self.state(session).session
        if published is not None and not published.closing:
            published.ended_cleanly = True
            await self.ingest.end_session(published)

    async def on_stream_closed(
        self, session: SessionManager, exception: StreamClosedException
    ) -> None:
        published = self.state(session).session
        if published is not None and not published.closing:
            # The encoder vanished without unpublishing: wait the grace period for it.
            await self.ingest.dropped(published)

    async def cleanup(self, session: SessionManager) -> None:
        await self.on_stream_closed(session, StreamClosedException())


async def start_rtmp_server(
    *, host: str, port: int, ingest: LiveIngest | None = None
) -> asyncio.Server:
    """Listen for RTMP publishers in the running event loop."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: RTMPProtocol(controller=IngestRtmpController(ingest)), host=host, port=port
    )
