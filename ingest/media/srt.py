"""SRT ingest: the ffmpeg CLI listens (PyAV's FFmpeg has no libsrt), remuxes to MPEG-TS on a pipe,
and PyAV decodes the pipe in a thread.

ffmpeg's listener cannot tell us the caller's `streamid`, so one port cannot serve several
publishers by key. Instead a publisher asks for a session with its stream key (POST /live/srt/,
`Authorization: Bearer <key>`, like WHIP) and gets a port of its own from SRT_PORT_RANGE plus an SRT
passphrase: only the caller that knows both can publish. The port is freed when the stream ends or
nobody called within SRT_WAIT_SECONDS.

SRT has no "end of stream" the listener can see: a caller that stops looks like one that dropped.
So when the caller goes away the source waits LIVE_RECONNECT_GRACE_SECONDS, like a WHIP source,
and the port keeps listening (same URL, same passphrase) for that long: a caller that comes back
continues the same source and recording. Nobody within the grace period: the source ends.
The first video and audio streams are decoded; the audio (AAC or Opus, as MPEG-TS carries them)
is recorded with the picture.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import socket
import subprocess
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import av
from django.conf import settings
from django.utils.translation import gettext as _

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from ingest.media.background import spawn
from ingest.media.pipeline import SourceRuntime
from ingest.media.registry import LiveIngest, PublishSession, live_ingest

logger = logging.getLogger(__name__)

# What aiortc's Opus decoder hands over for WHIP: every source's audio looks the same downstream.
AUDIO_FORMAT, AUDIO_LAYOUT, AUDIO_RATE = "s16", "stereo", 48000

# How much of the caller's stream the listener reads before it knows its streams. The bytes must
# reach the first audio frame: a 720p H.264 keyframe alone can pass 32 kB, and ffmpeg then writes
# no header at all ("sample rate not set") and the caller gets an I/O error. With room to spare in
# bytes, the time (analyzeduration, 0.5 s of the caller's stream) is what ends the probe, so
# a low-bitrate phone goes live as fast as before; a 720p sender waits about half a second more.
LISTENER_PROBE_BYTES = 1_000_000
LISTENER_ANALYZE_MICROSECONDS = 500_000

# The listener's stderr, kept for the log: the last lines only (a sender whose H.264 ffmpeg
# cannot decode makes it print a line per packet, for as long as the caller sends).
LISTENER_LOG_LINES = 40
LISTENER_LOG_LINE_CHARS = 300

# What the listener says when the caller's H.264 never carried its parameter sets (SPS/PPS).
# GStreamer's mpegtsmux flags the keyframe that carries them as a stream "header", and srtsink
# (1.22) drops every such buffer, trusting its caps' stream headers, which hold only PAT and PMT:
# the keyframes with SPS/PPS never leave the sender, nothing can decode the rest.
MISSING_PARAMETER_SETS = ("non-existing PPS", "unspecified size")

# ffmpeg names its input URL in its errors, passphrase included: the log gets it blanked out.
_PASSPHRASE = re.compile(r"passphrase=[^&\s:]*")


class NoSrtPort(ApplicationError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_code = ErrorCode.NO_SRT_PORT


def srt_listener_command(*, host: str, port: int, passphrase: str, wait_seconds: int) -> list[str]:
    """ffmpeg as an SRT listener, copying the first video (and audio) stream to MPEG-TS on stdout."""
    url = (
        f"srt://{host}:{port}?mode=listener&passphrase={passphrase}&pbkeylen=16"
        f"&listen_timeout={wait_seconds * 1_000_000}&latency=200000"
    )
    return [
        ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "warning",
        "-probesize", str(LISTENER_PROBE_BYTES),
        "-analyzeduration", str(LISTENER_ANALYZE_MICROSECONDS),
        "-i", url, "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
        "-flush_packets", "1", "-muxdelay", "0", "-f", "mpegts", "pipe:1",
    ]  # fmt: skip


class ListenerLog:
    """The last lines a listener wrote to stderr, read in a thread so the pipe never fills."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: deque[str] = deque(maxlen=LISTENER_LOG_LINES)
        self._thread = threading.Thread(
            target=self._drain, args=(process,), name=f"srt-log-{process.pid}", daemon=True
        )
        self._thread.start()

    def _drain(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None  # noqa: S101 - opened with a pipe
        with process.stderr:
            for raw in process.stderr:
                line = _PASSPHRASE.sub("passphrase=…", raw.decode("utf-8", "replace").rstrip())
                if line:
                    self.lines.append(line[:LISTENER_LOG_LINE_CHARS])

    def text(self, *, wait: float = 2.0) -> str:
        """Everything kept, once the listener has exited (its last words come at the end)."""
        self._thread.join(timeout=wait)
        return "\n".join(list(self.lines))


_listener_logs: weakref.WeakKeyDictionary[subprocess.Popen[bytes], ListenerLog] = (
    weakref.WeakKeyDictionary()
)


def report_failed_call(
    port: int, process: subprocess.Popen[bytes], log: ListenerLog | None
) -> None:
    """A listener that never produced a stream: say why, in ffmpeg's words."""
    text = log.text() if log is not None else ""
    hint = ""
    if any(marker in text for marker in MISSING_PARAMETER_SETS):
        hint = (
            " (the caller's H.264 never carried its SPS/PPS. GStreamer's srtsink drops them:"
            " put tsparse between mpegtsmux and srtsink, and h264parse config-interval=-1)"
        )
    # Nobody calling within the wait is no fault: Debian's FFmpeg says nothing then, FFmpeg 8
    # "Connection timed out". Anything else is a caller we took and could not use.
    nobody_called = not text or "Connection timed out" in text
    logger.log(
        logging.INFO if nobody_called else logging.WARNING,
        "SRT listener on port %d ended without a stream (exit %s)%s:\n%s",
        port,
        process.returncode,
        hint,
        text or "(nothing on stderr)",
    )


def parse_port_range(spec: str) -> range:
    low, _sep, high = spec.partition("-")
    return range(int(low), int(high or low) + 1)


@dataclass
class SrtSession(PublishSession):
    process: subprocess.Popen[bytes] | None = None

    async def hang_up(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()


class SrtListeners:
    """Ports handed out to publishers of this process, and the ffmpeg listener on each."""

    def __init__(self) -> None:
        self.busy: set[int] = set()

    def allocate(self) -> int:
        for port in parse_port_range(settings.SRT_PORT_RANGE):
            # Another process (a second web worker, a leftover listener) may hold a port too.
            if port not in self.busy and not _udp_port_taken(settings.SRT_HOST, port):
                self.busy.add(port)
                return port
        raise NoSrtPort(_("Every SRT port is in use. Try again in a minute."))

    async def open(self, *, secret: str, ingest: LiveIngest | None = None) -> dict[str, Any]:
        """Check the key, start a listener on a free port and say how to call it."""
        ingest = ingest or live_ingest()
        key = await ingest.authorize(secret)
        port = self.allocate()
        passphrase = secrets.token_hex(12)
        wait = int(settings.SRT_WAIT_SECONDS)
        try:
            process = await _listen(port=port, passphrase=passphrase, wait_seconds=wait)
        except BaseException:
            self.busy.discard(port)
            raise
        loop = asyncio.get_running_loop()
        spawn(
            self._serve(ingest, secret, key.user_id, port, passphrase, process, loop),
            name=f"srt-{port}",
        )
        return {
            "url": f"srt://{settings.SRT_PUBLIC_HOST or settings.SRT_HOST}:{port}"
            f"?passphrase={passphrase}&pbkeylen=16&streamid=publish:{secret}",
            "port": port,
            "passphrase": passphrase,
            "wait_seconds": wait,
        }

    async def _serve(
        self,
        ingest: LiveIngest,
        secret: str,
        user_id: int,
        port: int,
        passphrase: str,
        process: subprocess.Popen[bytes],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        """Calls on this port, one after the other, until nobody comes back within the grace."""
        current: subprocess.Popen[bytes] | None = process
        try:
            while current is not None:
                session = await self._one_call(ingest, secret, user_id, port, current, loop)
                if session is None or session.closing:
                    return  # nobody called, or the source was ended (editor, DELETE, refusal)
                await ingest.dropped(session)
                grace = max(1, int(settings.LIVE_RECONNECT_GRACE_SECONDS))
                current = None
                current = await _listen(port=port, passphrase=passphrase, wait_seconds=grace)
        except ApplicationError as error:
            logger.info("SRT publish refused: %s", error.message)
        finally:
            if current is not None:
                if current.poll() is None:
                    current.terminate()
                await asyncio.to_thread(current.wait)
            self.busy.discard(port)

    async def _one_call(
        self,
        ingest: LiveIngest,
        secret: str,
        user_id: int,
        port: int,
        process: subprocess.Popen[bytes],
        loop: asyncio.AbstractEventLoop,
    ) -> SrtSession | None:
        """Wait for a caller on `process`; feed its stream to the key's source until it stops."""
        started = asyncio.Event()
        holder: dict[str, Any] = {"ready": threading.Event()}

        def on_first_packet() -> None:
            loop.call_soon_threadsafe(started.set)

        reader = threading.Thread(
            target=_read_ts,
            args=(process, on_first_packet, holder, loop),
            name=f"ingest-srt-{process.pid}",
            daemon=True,
        )
        reader.start()
        try:
            waiting = asyncio.create_task(started.wait())
            exited = asyncio.create_task(asyncio.to_thread(reader.join))
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if not started.is_set():
                # Nobody called in time, the caller could not decrypt, or what it sent could not
                # be remuxed: the listener's own words say which.
                if process.poll() is None:
                    process.terminate()
                await asyncio.to_thread(process.wait)
                await asyncio.to_thread(
                    report_failed_call, port, process, _listener_logs.get(process)
                )
                return None
            # A source an editor stopped stays stopped (publish_start refuses it for a while);
            # one that ended otherwise in the meantime starts afresh, as with WHIP.
            session, runtime = await ingest.begin(
                secret=secret,
                protocol="srt",
                title="",
                make_session=lambda grant, session_id: SrtSession(
                    session_id=session_id,
                    user_id=user_id,
                    source_id=grant.source_id,
                    source_key=grant.source_key,
                    process=process,
                ),
            )
            if holder.get("has_audio"):
                runtime.expect_audio()
            runtime.attach(session_id=session.session_id, stats_probe=None)
            holder["deliver"] = _deliverer(runtime, session.session_id)
            holder["deliver_audio"] = _audio_deliverer(runtime, session.session_id)
            holder["ready"].set()
            await exited
            return session
        finally:
            holder["ready"].set()
            if process.poll() is None:
                process.terminate()
            await asyncio.to_thread(process.wait)


async def _listen(*, port: int, passphrase: str, wait_seconds: int) -> subprocess.Popen[bytes]:
    """Start ffmpeg listening on `port`; returns once the port is bound."""
    command = srt_listener_command(
        host=settings.SRT_HOST, port=port, passphrase=passphrase, wait_seconds=wait_seconds
    )
    # A plain Popen (in a thread): PyAV reads its stdout as a file, in the reader thread.
    process = await asyncio.to_thread(
        subprocess.Popen,
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    _listener_logs[process] = ListenerLog(process)
    await _wait_bound(settings.SRT_HOST, port, process)
    return process


def _udp_port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


async def _wait_bound(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    """Return once ffmpeg listens (its port is taken), so a caller told the URL can connect."""
    for _attempt in range(60):
        if process.poll() is not None or _udp_port_taken(host, port):
            return
        await asyncio.sleep(0.05)


def _deliverer(runtime: SourceRuntime, session_id: str) -> Any:
    return lambda frame: runtime.on_video_frame(frame, session_id)


def _audio_deliverer(runtime: SourceRuntime, session_id: str) -> Any:
    return lambda frame: runtime.on_audio_frame(session_id, frame)


def _read_ts(
    process: subprocess.Popen[bytes],
    on_first_packet: Any,
    holder: dict[str, Any],
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Blocking: decode the MPEG-TS pipe; frames go to the loop once the session exists."""
    assert process.stdout is not None  # noqa: S101 - opened with a pipe
    try:
        # Small probe: the default (5 MB, 5 s) would hold a low-bitrate phone stream for seconds.
        with av.open(
            process.stdout,
            format="mpegts",
            mode="r",
            options={"probesize": "8192", "analyzeduration": "200000"},
        ) as container:
            video = container.streams.video[0]
            audio = container.streams.audio[0] if container.streams.audio else None
            holder["has_audio"] = audio is not None
            resampler = av.AudioResampler(format=AUDIO_FORMAT, layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
            on_first_packet()
            holder["ready"].wait(timeout=30)  # the session exists (or never will)
            streams: list[Any] = [video] if audio is None else [video, audio]
            for packet in container.demux(streams):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    continue  # one damaged packet (the network): carry on with the next
                for frame in frames:
                    if isinstance(frame, av.VideoFrame):
                        deliver = holder.get("deliver")
                        if deliver is not None:
                            loop.call_soon_threadsafe(deliver, frame)
                    elif isinstance(frame, av.AudioFrame):
                        deliver_audio = holder.get("deliver_audio")
                        if deliver_audio is None:
                            continue
                        frame.pts = None
                        for chunk in resampler.resample(frame):
                            loop.call_soon_threadsafe(deliver_audio, chunk)
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as error:
        logger.info("SRT stream ended: %s", error)


srt_listeners = SrtListeners()
