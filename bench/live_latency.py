"""Program latency and CPU: N stamped 360p WHIP sources, one program, a WHEP monitor, HLS.

The ingest and the program engine run in this process exactly as in the web process (LiveIngest,
ProgramEngine with its FFmpeg encoder and HLS upload to local storage), with in-memory reporters
instead of the database. A child process plays the phones and the viewers:

* N aiortc publishers (VP8, 640x360 at 25 fps, ffmpeg's moving testsrc2) stamp every frame with
  its source and index (16 black/white cells in the top-left corner, `ingest.program.graphics`)
  and note when they sent it;
* a WHEP monitor (aiortc) decodes the program and reads the stamp of every frame it gets:
  glass-to-glass = arrival - send time of the stamped frame;
* an HLS reader polls the 720p playlist like a player (every 100 ms) and decodes the first frame
  of each new segment as soon as it appears: glass-to-glass of the newest segment (a player that
  keeps three segments of buffer, as hls.js does by default, adds about three segment durations).

Cut reaction (with 2 or more sources): 50 cuts between sources 1 and 2, from the moment the
engine receives the command (`ProgramEngine.apply`, what the studio's websocket delivers) to the
first program picture carrying the new source's stamp. The studio's round trip before that (the
database write and the channel-layer publish) is not included.

CPU: this process (ingest + engine) plus the FFmpeg encoder, over the measuring window, in % of
one core; the publishers' own encoding (the phones) runs in the child, is not counted, and runs
at niceness 10 (`--phones-nice`) so that it yields the cores to the server it stands in front of.
Prints a table, then one JSON line.

    .venv/bin/python bench/live_latency.py --sources 1,3,6 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import io
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
FPS = 25
WIDTH, HEIGHT = 640, 360
INDEX_BITS = 13  # stamp = source << 13 | frame index (wraps after 5 minutes at 25 fps)
CUTS = 50
CUT_INTERVAL = 0.4
PHONES_NICE = 10


def stamp_value(source: int, index: int) -> int:
    return (source << INDEX_BITS) | (index % (1 << INDEX_BITS))


def stamp_source(value: int) -> int:
    return value >> INDEX_BITS


# --- the child: phones and viewers -------------------------------------------------------------
async def child(count: int, hls_dir: str) -> None:
    import av
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import VideoStreamTrack

    from ingest.media.ice import configure_ice
    from ingest.program.graphics import Planes, draw_stamp, frame_luma, read_stamp

    sent: dict[int, float] = {}

    def clip() -> list[Planes]:
        source = av.open(f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}", format="lavfi")
        frames = []
        for frame in source.decode(video=0):
            frames.append(Planes.from_frame(frame.reformat(format="yuv420p")))
            if len(frames) >= FPS:
                break
        source.close()
        return frames

    class Stamped(VideoStreamTrack):
        def __init__(self, source: int) -> None:
            super().__init__()
            self.source = source
            self.n = -1
            self.started = 0.0
            self.clip = clip()

        async def recv(self) -> av.VideoFrame:
            self.n += 1
            if self.n == 0:
                self.started = time.monotonic()
            else:
                await asyncio.sleep(max(0.0, self.started + self.n / FPS - time.monotonic()))
            planes = self.clip[self.n % len(self.clip)].copy()
            value = stamp_value(self.source, self.n)
            draw_stamp(planes, value)
            frame = planes.to_frame()
            frame.pts, frame.time_base = self.n * (90000 // FPS), Fraction(1, 90000)
            sent[value] = time.monotonic()
            return frame

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def negotiate(pc: RTCPeerConnection, kind: str) -> None:
        configure_ice(pc, host_addresses=["127.0.0.1"], remote_networks=["127.0.0.0/8"])
        await pc.setLocalDescription(await pc.createOffer())
        print(json.dumps({"kind": kind, "sdp": pc.localDescription.sdp}), flush=True)
        answer = json.loads(await reader.readline())
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["answer"], type="answer"))

    pcs = []
    for index in range(count):
        pc = RTCPeerConnection()
        pc.addTransceiver(Stamped(index + 1), direction="sendonly")
        await negotiate(pc, "publish")
        pcs.append(pc)

    whep: list[float] = []
    hls: list[float] = []
    viewer = RTCPeerConnection()
    viewer.addTransceiver("video", direction="recvonly")
    tracks: list[Any] = []
    got_track = asyncio.Event()

    @viewer.on("track")
    def on_track(track: Any) -> None:
        tracks.append(track)
        got_track.set()

    await negotiate(viewer, "whep")

    async def watch() -> None:
        await got_track.wait()
        while True:
            frame = await tracks[0].recv()
            value = read_stamp(frame_luma(frame))
            if value is not None and value in sent:
                whep.append(time.monotonic() - sent[value])

    async def play_hls() -> None:
        playlist = Path(hls_dir) / "720p.m3u8"
        seen: set[str] = set()
        while True:
            await asyncio.sleep(0.1)
            try:
                names = [
                    line.strip()
                    for line in playlist.read_text().splitlines()
                    if line.strip() and not line.startswith("#")
                ]
            except (FileNotFoundError, OSError):
                continue
            for name in names[-1:]:
                if name in seen:
                    continue
                seen.add(name)
                data = (Path(hls_dir) / name).read_bytes()
                with av.open(io.BytesIO(data), format="mpegts") as container:
                    for frame in container.decode(video=0):
                        value = read_stamp(frame_luma(frame))
                        if value is not None and value in sent:
                            hls.append(time.monotonic() - sent[value])
                            break

    tasks = [asyncio.create_task(watch()), asyncio.create_task(play_hls())]
    await reader.readline()  # the parent says stop
    for task in tasks:
        task.cancel()
    print(json.dumps({"kind": "result", "whep": whep, "hls": hls}), flush=True)
    for pc in [*pcs, viewer]:
        await pc.close()


# --- the ingest side ---------------------------------------------------------------------------
class BenchReporter:
    """The SourceReporter contract, in memory."""

    def __init__(self) -> None:
        self.next_id = 0

    async def key_for_secret(self, secret: str) -> Any:
        class Key:
            user_id = 1
            revoked_at = None

        return Key()

    async def publish_start(self, **kwargs: Any) -> Any:
        self.next_id += 1

        class Grant:
            source_id = self.next_id
            source_key = f"bench-{self.next_id}"
            replaced_session = ""

        return Grant()

    async def state(self, **kwargs: Any) -> str:
        return "live"

    async def end_if_abandoned(self, **kwargs: Any) -> bool:
        return True

    async def first_frame(self, **kwargs: Any) -> None: ...
    async def disconnected(self, **kwargs: Any) -> None: ...
    async def end(self, **kwargs: Any) -> None: ...
    async def end_elsewhere(self, *, session_id: str, secret: str) -> None: ...
    async def stats(self, **kwargs: Any) -> None: ...
    async def recording_finished(self, **kwargs: Any) -> None: ...


class BenchProgramReporter:
    async def running_states(self) -> list[dict[str, Any]]:
        return []

    async def claim(self, **kwargs: Any) -> bool:
        return True

    async def release(self, **kwargs: Any) -> None: ...
    async def auto_cutaway(self, **kwargs: Any) -> None: ...
    async def auto_cutback(self, **kwargs: Any) -> None: ...
    async def recording_finished(self, **kwargs: Any) -> None: ...


def program_state(seq: int, source_id: int) -> dict[str, Any]:
    return {
        "slug": "main",
        "seq": seq,
        "running": True,
        "width": 1280,
        "height": 720,
        "fps": FPS,
        "mode": "source",
        "source": {"id": source_id, "key": f"bench-{source_id}", "reporter_name": "Bench",
                   "location": "", "story_title": ""},
        "transition": {"kind": "cut", "duration_ms": 0},
        "video_path": None,
        "slate_path": None,
        "lower_third": {"visible": False, "name": "", "location": "", "story": ""},
        "standby_source_id": None,
        "cutaway_after_seconds": 5.0,
        "cutaway_min_kbps": 0,
    }  # fmt: skip


def process_cpu(pid: int) -> float:
    """User + system seconds of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)


async def run_one(count: int, seconds: float, work: Path) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from ingest.media.registry import live_ingest
    from ingest.media.whip import whip_publish
    from ingest.program.engine import program_engine
    from ingest.program.graphics import read_stamp
    from ingest.program.whep import whep_connect

    ingest = live_ingest()
    ingest.reporter = BenchReporter()
    engine = program_engine()  # the registry the WHEP endpoint looks in
    engine.reporter = BenchProgramReporter()
    engine.root = work / "program"
    engine.seqs.pop("main", None)  # each run starts the program afresh at seq 1
    hls_dir = Path(default_storage.path("live/main"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", str(count), "--hls-dir", str(hls_dir),
        "--phones-nice", str(PHONES_NICE),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 22,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdin is not None
    stdin = proc.stdin

    async def answer(sdp: str) -> None:
        stdin.write((json.dumps({"answer": sdp}) + "\n").encode())
        await stdin.drain()

    for _ in range(count):
        offer = json.loads(await proc.stdout.readline())
        _session, sdp = await whip_publish(ingest, secret="bench", offer_sdp=offer["sdp"])  # noqa: S106
        await answer(sdp)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (  # noqa: ASYNC110 - polling counters
        len(ingest.runtimes) < count or any(r.frames_total == 0 for r in ingest.runtimes.values())
    ):
        await asyncio.sleep(0.1)
    seq = 1
    await engine.apply(program_state(seq, 1))
    runtime = engine.runtimes["main"]
    on_air: dict[str, Any] = {"source": 1, "since": 0.0, "reactions": []}

    def on_picture(picture: Any) -> None:
        value = read_stamp(picture.y)
        if value is None:
            return
        if stamp_source(value) == on_air["source"] and on_air["since"]:
            on_air["reactions"].append(time.monotonic() - on_air["since"])
            on_air["since"] = 0.0

    runtime.on_picture = on_picture
    offer = json.loads(await proc.stdout.readline())
    _viewer, sdp = await whep_connect(slug="main", user_id=1, offer_sdp=offer["sdp"])
    await answer(sdp)
    await asyncio.sleep(3)  # warm up: encoder, first segments, viewer connected
    if os.environ.get("BENCH_DEBUG"):
        print("warm", runtime.stats(), file=sys.stderr, flush=True)

    assert runtime.encoder is not None  # the warm-up above started it
    ffmpeg_pid = runtime.encoder.process.pid
    frames_before = {key: r.frames_total for key, r in ingest.runtimes.items()}
    ticks_before, dropped_before = runtime.ticks, runtime.stats()["dropped"]
    cpu_before, ffmpeg_before, wall_before = self_cpu(), process_cpu(ffmpeg_pid), time.monotonic()
    cuts = 0
    while time.monotonic() - wall_before < seconds or (count >= 2 and cuts < CUTS):
        await asyncio.sleep(CUT_INTERVAL)
        if count >= 2 and cuts < CUTS:
            seq += 1
            target = 2 if on_air["source"] == 1 else 1
            on_air["since"] = time.monotonic()
            on_air["source"] = target
            await engine.apply(program_state(seq, target))
            cuts += 1
    wall = time.monotonic() - wall_before
    cpu = self_cpu() - cpu_before
    ffmpeg_cpu = process_cpu(ffmpeg_pid) - ffmpeg_before
    stats = runtime.stats()
    source_fps = [
        (r.frames_total - frames_before.get(key, 0)) / wall for key, r in ingest.runtimes.items()
    ]
    program_frames = runtime.ticks - ticks_before
    dropped = stats["dropped"] - dropped_before
    proc.stdin.write(b'{"stop": true}\n')
    await proc.stdin.drain()
    result: dict[str, Any] = {}
    while True:
        line = await proc.stdout.readline()
        if not line:
            break
        message = json.loads(line)
        if message.get("kind") == "result":
            result = message
            break
    await engine.stop()
    await ingest.close_all()
    await proc.wait()
    return {
        "sources": count,
        "cpu_percent_ingest_engine": round(100 * cpu / wall, 1),
        "cpu_percent_encoder": round(100 * ffmpeg_cpu / wall, 1),
        "cpu_percent_total": round(100 * (cpu + ffmpeg_cpu) / wall, 1),
        "source_fps_min": round(min(source_fps), 1),
        "program_fps": round(program_frames / wall, 1),
        "program_frames_dropped_percent": round(
            100 * dropped / max(1, program_frames + dropped), 2
        ),
        "render_ms": stats["render_ms"],
        "whep_ms_p50": percentile(result.get("whep", []), 0.5),
        "whep_ms_p95": percentile(result.get("whep", []), 0.95),
        "whep_samples": len(result.get("whep", [])),
        "hls_ms_p50": percentile(result.get("hls", []), 0.5),
        "hls_ms_p95": percentile(result.get("hls", []), 0.95),
        "hls_samples": len(result.get("hls", [])),
        "cut_ms_p50": percentile(on_air["reactions"], 0.5),
        "cut_ms_p95": percentile(on_air["reactions"], 0.95),
        "cuts": len(on_air["reactions"]),
    }


def setup_django(work: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    os.environ.setdefault("FIELDCAST_VAR_DIR", str(work))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


async def main(counts: list[int], seconds: float, work: Path) -> list[dict[str, Any]]:
    return [await run_one(count, seconds, work) for count in counts]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default="1,3,6")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--phones-nice", type=int, default=PHONES_NICE, help="niceness of the publishers' process"
    )
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--hls-dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    PHONES_NICE = args.phones_nice
    if os.environ.get("BENCH_DEBUG"):
        import faulthandler
        import signal

        faulthandler.register(signal.SIGUSR1, all_threads=True)
    work_dir = Path(os.environ.get("FIELDCAST_VAR_DIR") or tempfile.mkdtemp(prefix="fc-latency-"))
    setup_django(work_dir)
    if args.child:
        # The phones and the viewers are not on the server: they yield the CPU to it.
        os.nice(args.phones_nice)
        asyncio.run(child(args.child, args.hls_dir))
        sys.exit(0)
    rows = asyncio.run(main([int(n) for n in args.sources.split(",")], args.seconds, work_dir))
    columns = [
        ("N", "sources"), ("CPU%", "cpu_percent_total"), ("ingest+eng%", "cpu_percent_ingest_engine"),
        ("ffmpeg%", "cpu_percent_encoder"), ("src fps", "source_fps_min"),
        ("prog fps", "program_fps"), ("drop%", "program_frames_dropped_percent"),
        ("WHEP p50", "whep_ms_p50"), ("WHEP p95", "whep_ms_p95"), ("HLS p50", "hls_ms_p50"),
        ("HLS p95", "hls_ms_p95"), ("cut p50", "cut_ms_p50"), ("cut p95", "cut_ms_p95"),
    ]  # fmt: skip
    print(" ".join(f"{title:>11}" for title, _key in columns))
    for row in rows:
        print(" ".join(f"{str(row[key]):>11}" for _title, key in columns))
    print(
        json.dumps(
            {
                "benchmark": "live_latency",
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "fps": FPS,
                "source": f"{WIDTH}x{HEIGHT}",
                "program": "1280x720",
                "results": rows,
            }
        )
    )
