"""One FFmpeg process encodes the program: raw frames in, an HLS ladder out (one encode pass).

Video goes in as raw yuv420p on stdin, audio as s16le 48 kHz stereo on a second pipe (an extra
file descriptor passed to the child). Both are written from their own thread with one frame and
one tick of audio per program tick, so their timestamps (derived by FFmpeg from frame and sample
counts) stay continuous and in step whatever happens upstream. When the encoder falls behind,
whole ticks (picture and sound together) are dropped and counted.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ingest.program.audio import CHANNELS, RATE

logger = logging.getLogger(__name__)

LADDER_FRACTIONS = (1, 2, 3)  # program size, half, third: 720p -> 720p, 360p, 240p
BITS_PER_PIXEL = 0.1
AUDIO_KBPS = 96
SEGMENT_SECONDS = 1
LIST_SIZE = 6


@dataclass(frozen=True)
class Rung:
    name: str
    width: int
    height: int
    video_kbps: int


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def ladder(width: int, height: int, fps: int) -> list[Rung]:
    """The renditions of a program: its own size, half and a third (named by their height)."""
    rungs: list[Rung] = []
    for divisor in LADDER_FRACTIONS:
        rung_height = _even(height / divisor)
        rung_width = _even(width * rung_height / height)
        if any(r.height == rung_height for r in rungs) or rung_height < 32:
            continue
        kbps = max(100, round(rung_width * rung_height * fps * BITS_PER_PIXEL / 1000))
        rungs.append(Rung(f"{rung_height}p", rung_width, rung_height, kbps))
    return rungs


def hls_command(
    *,
    ffmpeg: str,
    width: int,
    height: int,
    fps: int,
    rungs: list[Rung],
    out_dir: Path,
    run_id: str,
    audio_fd: int,
    segment_seconds: int = SEGMENT_SECONDS,
    list_size: int = LIST_SIZE,
) -> list[str]:
    """The FFmpeg command line: raw program in, every rung as HLS variant `<name>.m3u8`."""
    outputs = [f"[v{index}]" for index in range(len(rungs))]
    graph = [f"[0:v]split={len(rungs)}" + "".join(f"[s{i}]" for i in range(len(rungs)))]
    for index, rung in enumerate(rungs):
        if (rung.width, rung.height) == (width, height):
            graph.append(f"[s{index}]null{outputs[index]}")
        else:
            graph.append(
                f"[s{index}]scale={rung.width}:{rung.height}:flags=fast_bilinear{outputs[index]}"
            )
    command = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "warning",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        f"{width}x{height}",
        "-framerate",
        str(fps),
        "-thread_queue_size",
        "64",
        "-i",
        "pipe:0",
        "-f",
        "s16le",
        "-ar",
        str(RATE),
        "-ac",
        str(CHANNELS),
        "-thread_queue_size",
        "64",
        "-i",
        f"pipe:{audio_fd}",
        "-filter_complex",
        ";".join(graph),
    ]
    for index in range(len(rungs)):
        command += ["-map", outputs[index], "-map", "1:a"]
    command += [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(fps * segment_seconds),
        "-keyint_min",
        str(fps * segment_seconds),
        "-sc_threshold",
        "0",
        "-bf",
        "0",
    ]
    for index, rung in enumerate(rungs):
        command += [
            f"-b:v:{index}",
            f"{rung.video_kbps}k",
            f"-maxrate:v:{index}",
            f"{rung.video_kbps * 3 // 2}k",
            f"-bufsize:v:{index}",
            f"{rung.video_kbps * 2}k",
        ]
    command += [
        "-c:a",
        "aac",
        "-b:a",
        f"{AUDIO_KBPS}k",
        "-ar",
        str(RATE),
        "-ac",
        str(CHANNELS),
        "-f",
        "hls",
        "-hls_time",
        str(segment_seconds),
        "-hls_list_size",
        str(list_size),
        "-hls_flags",
        "independent_segments+temp_file",
        "-hls_segment_type",
        "mpegts",
        "-hls_segment_filename",
        str(out_dir / f"%v_{run_id}_%05d.ts"),
        "-var_stream_map",
        " ".join(f"v:{i},a:{i},name:{rung.name}" for i, rung in enumerate(rungs)),
        str(out_dir / "%v.m3u8"),
    ]
    return command


def master_playlist(rungs: list[Rung], fps: int) -> str:
    """The master `index.m3u8` naming every variant (written by us: names and order are ours)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rung in rungs:
        bandwidth = (rung.video_kbps + AUDIO_KBPS) * 1000
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={rung.width}x{rung.height},"
            f'FRAME-RATE={fps:.3f},CODECS="avc1.64001f,mp4a.40.2"'
        )
        lines.append(f"{rung.name}.m3u8")
    return "\n".join(lines) + "\n"


class ProgramEncoder:
    """The running FFmpeg and its two writer threads."""

    def __init__(
        self, *, ffmpeg: str, width: int, height: int, fps: int, out_dir: Path, run_id: str
    ) -> None:
        self.rungs = ladder(width, height, fps)
        self.out_dir = out_dir
        self.frame_bytes = width * height * 3 // 2
        self.submitted = 0
        self.dropped = 0
        out_dir.mkdir(parents=True, exist_ok=True)
        audio_read, audio_write = os.pipe()
        command = hls_command(
            ffmpeg=ffmpeg,
            width=width,
            height=height,
            fps=fps,
            rungs=self.rungs,
            out_dir=out_dir,
            run_id=run_id,
            audio_fd=audio_read,
        )
        self._log = open(out_dir / "ffmpeg.log", "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(  # noqa: S603 - our own argument list
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            pass_fds=(audio_read,),
        )
        os.close(audio_read)
        self._audio_pipe = os.fdopen(audio_write, "wb", buffering=0)
        # About a second of backlog before ticks are dropped.
        self._video: queue.Queue[bytes | None] = queue.Queue(maxsize=max(4, fps))
        self._audio: queue.Queue[bytes | None] = queue.Queue()
        assert self.process.stdin is not None  # noqa: S101
        self._threads = [
            threading.Thread(
                target=self._pump,
                args=(self._video, self.process.stdin),
                daemon=True,
                name="program-video-pipe",
            ),
            threading.Thread(
                target=self._pump,
                args=(self._audio, self._audio_pipe),
                daemon=True,
                name="program-audio-pipe",
            ),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def backlog(self) -> int:
        """Ticks waiting for the encoder."""
        return self._video.qsize()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def submit(self, video: bytes, audio: bytes) -> bool:
        """Queue one tick; False (and counted) when the encoder is a second behind."""
        if len(video) != self.frame_bytes:
            raise ValueError("a program frame has the wrong size")
        if self._video.full() or not self.alive:
            self.dropped += 1
            return False
        self._video.put_nowait(video)
        self._audio.put_nowait(audio)
        self.submitted += 1
        return True

    @staticmethod
    def _pump(source: queue.Queue[bytes | None], pipe: IO[bytes]) -> None:
        try:
            while True:
                chunk = source.get()
                if chunk is None:
                    break
                pipe.write(chunk)
        except (BrokenPipeError, ValueError, OSError):
            logger.warning("the program encoder stopped reading")
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def close(self, timeout: float = 20.0) -> int | None:
        """End of input: FFmpeg writes its last segments and exits (blocking)."""
        self._video.put(None)
        self._audio.put(None)
        for thread in self._threads:
            thread.join(timeout)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code
