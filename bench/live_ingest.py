"""Live ingest benchmark: N synthetic 360p WHIP publishers into one ingest process.

The ingest side runs in this process exactly as in the web process (LiveIngest: aiortc decode,
latest frame, 3 fps preview JPEGs, stats, H.264 recording), with an in-memory reporter instead of
the database. The publishers (aiortc, VP8, 640x360 at 15 fps, ffmpeg's moving testsrc2) run in
child processes, three per process; offers and answers travel over their stdin/stdout. For each N
it prints the ingest process's CPU (per source, in % of one core), the frames decoded per second
per source, and whether every source kept real time (>= 95 % of the frames sent). Prints a table,
then one JSON line.

    .venv/bin/python bench/live_ingest.py --sources 1,2,4,6,8 --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FPS = 15
WIDTH, HEIGHT = 640, 360


# --- publisher child process --------------------------------------------------------------------
async def publishers(count: int, seconds: float) -> None:
    import av
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import VideoStreamTrack
    from av import VideoFrame

    from ingest.media.ice import configure_ice

    # A moving test picture (ffmpeg's testsrc2), two seconds of it looped, paced at FPS; each
    # track has its own frames (the encoders run in threads and stamp the frames they get).
    def clip() -> list[VideoFrame]:
        source = av.open(f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}", format="lavfi")
        frames = []
        for frame in source.decode(video=0):
            frames.append(frame)
            if len(frames) >= 2 * FPS:
                break
        source.close()
        return frames

    class Moving(VideoStreamTrack):
        def __init__(self) -> None:
            super().__init__()
            self.n = -1
            self.started = 0.0
            self.clip = clip()

        async def recv(self) -> VideoFrame:
            self.n += 1
            if self.n == 0:
                self.started = time.monotonic()
            else:
                await asyncio.sleep(max(0.0, self.started + self.n / FPS - time.monotonic()))
            frame = self.clip[self.n % len(self.clip)]
            frame.pts, frame.time_base = self.n * (90000 // FPS), Fraction(1, 90000)
            return frame

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pcs = []
    for index in range(count):
        pc = RTCPeerConnection()
        track = Moving()
        pc.addTransceiver(track, direction="sendonly")
        configure_ice(pc, host_addresses=["127.0.0.1"], remote_networks=["127.0.0.0/8"])
        await pc.setLocalDescription(await pc.createOffer())
        print(json.dumps({"index": index, "offer": pc.localDescription.sdp}), flush=True)
        answer = json.loads(await reader.readline())
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["answer"], type="answer"))
        pcs.append(pc)
    await asyncio.sleep(seconds + 40)  # warm-up (up to 20 s) + the window; killed when done
    for pc in pcs:
        await pc.close()


# --- ingest side -------------------------------------------------------------------------------
class BenchReporter:
    """The SourceReporter contract, in memory."""

    def __init__(self) -> None:
        self.next_id = 0

    async def key_for_secret(self, secret: str) -> Any:
        class Key:
            user_id = 1
            revoked_at = None

        return Key()

    async def publish_start(
        self, *, secret: str, protocol: str, session_id: str, title: str = ""
    ) -> Any:
        self.next_id += 1

        class Grant:
            source_id = self.next_id
            source_key = f"bench-{self.next_id}"
            replaced_session = ""

        return Grant()

    async def first_frame(self, **kwargs: Any) -> None:
        return None

    async def disconnected(self, **kwargs: Any) -> None:
        return None

    async def end(self, **kwargs: Any) -> None:
        return None

    async def end_if_abandoned(self, **kwargs: Any) -> bool:
        return True

    async def end_elsewhere(self, **kwargs: Any) -> None:
        return None

    async def stats(self, **kwargs: Any) -> None:
        return None

    async def recording_finished(self, **kwargs: Any) -> None:
        return None

    async def state(self, **kwargs: Any) -> str:
        return "live"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


PUBLISHERS_PER_PROCESS = 3  # aiortc's VP8 encoders are Python-driven: spread them over processes


async def run_one(count: int, seconds: float) -> dict[str, Any]:
    from ingest.media.registry import LiveIngest
    from ingest.media.whip import whip_publish

    ingest = LiveIngest(reporter=BenchReporter())
    shares = [PUBLISHERS_PER_PROCESS] * (count // PUBLISHERS_PER_PROCESS)
    if count % PUBLISHERS_PER_PROCESS:
        shares.append(count % PUBLISHERS_PER_PROCESS)
    children = []
    for share in shares:
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--publisher", str(share), "--seconds", str(seconds),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=1 << 20,
        )  # fmt: skip
        assert child.stdout is not None
        assert child.stdin is not None
        for _ in range(share):
            offer = json.loads(await child.stdout.readline())
            _session, answer = await whip_publish(ingest, secret="bench", offer_sdp=offer["offer"])  # noqa: S106
            child.stdin.write((json.dumps({"answer": answer}) + "\n").encode())
            await child.stdin.drain()
        children.append(child)
    result = await measure(ingest, count, seconds)
    await ingest.close_all()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()
    return result


async def measure(ingest: Any, count: int, seconds: float) -> dict[str, Any]:
    # Warm up until every source has frames, then measure a steady window.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (  # noqa: ASYNC110 - polling counters, no event
        len(ingest.runtimes) < count or any(r.frames_total == 0 for r in ingest.runtimes.values())
    ):
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    frames_before = {key: r.frames_total for key, r in ingest.runtimes.items()}
    cpu_before, wall_before = cpu_seconds(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu = cpu_seconds() - cpu_before
    wall = time.monotonic() - wall_before
    per_source_fps = [
        (r.frames_total - frames_before.get(key, 0)) / wall for key, r in ingest.runtimes.items()
    ]
    previews = sum(r.previews_sent for r in ingest.runtimes.values())
    dropped = sum(r.recording_dropped for r in ingest.runtimes.values())
    sent_fps = sum(per_source_fps) / max(1, len(per_source_fps))
    return {
        "sources": count,
        "cpu_percent_total": round(100 * cpu / wall, 1),
        "cpu_percent_per_source": round(100 * cpu / wall / count, 1),
        "decoded_fps_per_source_min": round(min(per_source_fps or [0]), 1),
        "decoded_fps_per_source_avg": round(sent_fps, 1),
        "decoded_fps_total": round(sum(per_source_fps), 1),
        "previews": previews,
        "recording_frames_dropped": dropped,
        "real_time": bool(per_source_fps) and min(per_source_fps) >= 0.95 * FPS,
    }


async def run_one_rtmp(count: int, seconds: float) -> dict[str, Any]:
    """N ffmpeg publishers (libx264 ultrafast, 640x360 at 15 fps) into the RTMP listener."""
    from fieldcast.media.ffmpeg_binary import ffmpeg_path
    from ingest.media.registry import LiveIngest
    from ingest.media.rtmp import start_rtmp_server

    ingest = LiveIngest(reporter=BenchReporter())
    server = await start_rtmp_server(host="127.0.0.1", port=0, ingest=ingest)
    port = server.sockets[0].getsockname()[1]
    children = []
    for index in range(count):
        children.append(
            await asyncio.create_subprocess_exec(
                ffmpeg_path(),
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                str(2 * FPS),
                "-b:v",
                "500k",
                "-f",
                "flv",
                f"rtmp://127.0.0.1:{port}/live/bench{index}",
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        )
    result = await measure(ingest, count, seconds)
    for child in children:
        child.kill()
        await child.wait()
    server.close()
    await ingest.close_all()
    return result


async def main(counts: list[int], seconds: float, protocol: str) -> list[dict[str, Any]]:
    results = []
    for count in counts:
        if protocol == "rtmp":
            results.append(await run_one_rtmp(count, seconds))
        else:
            results.append(await run_one(count, seconds))
    return results


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    os.environ.setdefault("FIELDCAST_VAR_DIR", tempfile.mkdtemp(prefix="fc-bench-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default="1,2,4,6")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--protocol", choices=["whip", "rtmp"], default="whip")
    parser.add_argument("--publisher", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.publisher:
        asyncio.run(publishers(args.publisher, args.seconds))
        sys.exit(0)
    rows = asyncio.run(main([int(n) for n in args.sources.split(",")], args.seconds, args.protocol))
    print(
        f"{'N':>3} {'CPU %':>7} {'CPU %/src':>10} {'fps/src min':>12} {'fps/src avg':>12} {'fps total':>10} {'real time':>10}"
    )
    for row in rows:
        print(
            f"{row['sources']:>3} {row['cpu_percent_total']:>7} {row['cpu_percent_per_source']:>10} "
            f"{row['decoded_fps_per_source_min']:>12} {row['decoded_fps_per_source_avg']:>12} "
            f"{row['decoded_fps_total']:>10} {str(row['real_time']):>10}"
        )
    print(
        json.dumps(
            {
                "benchmark": "live_ingest",
                "protocol": args.protocol,
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "results": rows,
            }
        )
    )
