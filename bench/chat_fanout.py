"""Live chat fan-out: 1,000 websocket clients on one channel, spread over two web processes + Redis.

    REDIS_URL=redis://127.0.0.1:6379/7 DATABASE_URL=postgres://... \
      .venv/bin/python bench/chat_fanout.py [--clients 1000] [--messages 40] [--rate 4]

Starts two web processes the way docker-compose's `web` service runs them (uvicorn
`fieldcast.asgi:application`, lifespan on, websockets-sansio, RTMP_PORT=0) on the same database
and Redis, opens `--clients` anonymous websockets to `/ws/chat/<bench channel>/` (half on each
process, from `--client-procs` client processes), then a few signed-in senders (round robin, on
both processes, slow enough for the per-person flood limit) write `--messages` messages at
`--rate` per second through their own websockets. Every message carries the wall-clock time it
was sent; each client notes when it arrived. Delivery latency = arrival - send, over every
(message, client) pair: it includes the database write before fan-out, the channel layer (Redis)
and both processes' websocket sends. Target: p99 <= 200 ms.

REDIS_URL is required (two processes need a shared layer); DATABASE_URL defaults to a SQLite file
under FIELDCAST_VAR_DIR (default /tmp/fc-bench-chat). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 200.0


def _setup_django() -> None:
    os.environ.setdefault("FIELDCAST_VAR_DIR", "/tmp/fc-bench-chat")  # noqa: S108
    Path(os.environ["FIELDCAST_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _start_web(port: int, lifespan: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, RTMP_PORT="0", LOG_LEVEL="WARNING")
    command = [
        sys.executable, "-m", "uvicorn", "fieldcast.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), f"--lifespan={lifespan}",
        "--ws=websockets-sansio", "--no-access-log",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own server
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"web process on {port} died:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"web process on {port} did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Client processes -------------------------------------------------------------------------


async def _client(
    url: str, origin: str, expected: int, latencies: list[float], ready: asyncio.Event | None
) -> int:
    import websockets
    from websockets.typing import Origin

    got = 0
    async with websockets.connect(url, origin=Origin(origin), max_queue=None) as sock:
        first = json.loads(await sock.recv())
        assert first["type"] == "chat.history"  # noqa: S101
        if ready is not None:
            ready.set()
        async for raw in sock:
            event = json.loads(raw)
            if event.get("type") != "chat.message":
                continue
            now = time.time()
            body = event["message"]["body"]
            if not body.startswith("bench "):
                continue
            sent = float(body.split()[2])
            latencies.append((now - sent) * 1000)
            got += 1
            if got >= expected:
                return got
    return got


def _client_process(
    urls: list[tuple[str, str]], expected: int, connected: Any, go: Any, results: Any
) -> None:
    _raise_fd_limit()

    async def main() -> None:
        latencies: list[float] = []
        tasks = []
        for index in range(0, len(urls), 50):
            events = []
            for url, origin in urls[index : index + 50]:
                ready = asyncio.Event()
                events.append(ready)
                tasks.append(asyncio.create_task(_client(url, origin, expected, latencies, ready)))
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 60)
        connected.put(len(tasks))
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        done, pending = await asyncio.wait(tasks, timeout=expected / 2 + 30)
        for task in pending:
            task.cancel()
        results.put(latencies)

    asyncio.run(main())


# --- Senders (in the main process) ------------------------------------------------------------


async def _send_all(
    senders: list[tuple[str, str, str]], messages: int, rate: float
) -> tuple[int, list[str]]:
    import websockets
    from websockets.typing import Origin

    socks = []
    for url, origin, cookie in senders:
        sock = await websockets.connect(
            url, origin=Origin(origin), additional_headers={"Cookie": cookie}
        )
        json.loads(await sock.recv())
        socks.append(sock)
    errors: list[str] = []
    acked = 0
    all_answered = asyncio.Event()

    async def read_acks(sock: Any) -> None:
        nonlocal acked
        async for raw in sock:
            event = json.loads(raw)
            if event["type"] == "chat.ack":
                acked += 1
            elif event["type"] == "chat.error":
                errors.append(event["message"])
            if acked + len(errors) >= messages:
                all_answered.set()

    readers = [asyncio.create_task(read_acks(sock)) for sock in socks]
    start = time.monotonic()
    for seq in range(messages):
        await asyncio.sleep(max(0.0, start + seq / rate - time.monotonic()))
        sock = socks[seq % len(socks)]
        await sock.send(json.dumps({"type": "send", "body": f"bench {seq} {time.time():.6f}"}))
    try:
        await asyncio.wait_for(all_answered.wait(), 10)
    except TimeoutError:
        pass
    for reader in readers:
        reader.cancel()
    for sock in socks:
        await sock.close()
    return acked, errors


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--rate", type=float, default=4.0, help="messages per second")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument(
        "--lifespan", choices=["on", "off"], default="on", help="as docker-compose's web: on"
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is required: two web processes share the Redis channel layer.")
    _setup_django()
    _raise_fd_limit()

    from django.conf import settings
    from django.test import Client

    from community.chat.services import FLOOD_COUNT, FLOOD_SECONDS
    from community.models import ChatMessage
    from fieldcast.accounts.models import User

    channel = f"bench-{os.getpid()}"
    # Enough senders that none passes the per-person flood limit at this rate.
    per_sender_rate = FLOOD_COUNT / FLOOD_SECONDS * 0.8
    n_senders = max(2, int(args.rate / per_sender_rate) + 1)
    cookies = []
    for index in range(n_senders):
        user, _ = User.objects.get_or_create(
            email=f"bench-chat-{index}@example.com",
            defaults={"display_name": f"Bench {index}", "is_active": True},
        )
        client = Client()
        client.force_login(user)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    work = Path(os.environ["FIELDCAST_VAR_DIR"])
    ports = [_free_port(), _free_port()]
    logs = [work / f"bench-chat-web{i}.log" for i in range(2)]
    webs = [_start_web(port, args.lifespan, log) for port, log in zip(ports, logs, strict=True)]
    try:
        for port, web, log in zip(ports, webs, logs, strict=True):
            _wait_ready(port, web, log)
        endpoints = [
            (f"ws://127.0.0.1:{port}/ws/chat/{channel}/", f"http://127.0.0.1:{port}")
            for port in ports
        ]
        urls = [endpoints[i % 2] for i in range(args.clients)]
        shares = [urls[i :: args.client_procs] for i in range(args.client_procs)]
        connected: Any = multiprocessing.Queue()
        results: Any = multiprocessing.Queue()
        go = multiprocessing.Event()
        procs = [
            multiprocessing.Process(
                target=_client_process, args=(share, args.messages, connected, go, results)
            )
            for share in shares
        ]
        t0 = time.monotonic()
        for proc in procs:
            proc.start()
        total = sum(connected.get(timeout=180) for _ in procs)
        connect_s = time.monotonic() - t0
        senders = [(*endpoints[i % 2], cookie) for i, cookie in enumerate(cookies)]
        go.set()
        acked, errors = asyncio.run(_send_all(senders, args.messages, args.rate))
        latencies: list[float] = []
        for _ in procs:
            latencies.extend(results.get(timeout=args.messages / 2 + 60))
        for proc in procs:
            proc.join(timeout=10)
    finally:
        for web in webs:
            _stop(web)
        ChatMessage.objects.filter(channel=channel).delete()

    expected = total * acked
    figures = {
        "bench": "chat_fanout",
        "clients": total,
        "web_processes": 2,
        "lifespan": args.lifespan,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "messages_sent": args.messages,
        "messages_stored": acked,
        "send_errors": len(errors),
        "rate_per_s": args.rate,
        "deliveries": len(latencies),
        "deliveries_expected": expected,
        "connect_s": round(connect_s, 2),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p90_ms": round(_percentile(latencies, 0.90), 1) if latencies else None,
        "p99_ms": round(_percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "target_p99_ms": TARGET_P99_MS,
    }
    figures["ok"] = bool(
        latencies and len(latencies) == expected and figures["p99_ms"] <= TARGET_P99_MS
    )
    print(f"{'clients':<22} {total}  (2 web processes, {args.client_procs} client processes)")
    print(f"{'connected in':<22} {connect_s:.1f} s")
    print(f"{'messages':<22} {acked} stored of {args.messages} sent at {args.rate}/s")
    if errors:
        print(f"{'send errors':<22} {len(errors)}: {errors[0]}")
    print(f"{'deliveries':<22} {len(latencies)} of {expected}")
    print(f"{'latency':<22} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    if latencies:
        print(
            f"{'ms':<22} {figures['p50_ms']:>8} {figures['p90_ms']:>8} "
            f"{figures['p99_ms']:>8} {figures['max_ms']:>8}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
