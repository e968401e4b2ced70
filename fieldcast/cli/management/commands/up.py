"""`python -m fieldcast up`: web + ingest in one ASGI process, and a Celery worker beside it."""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _die_with_parent() -> None:
    """In the worker child: get SIGTERM if `up` itself dies, even by SIGKILL (Linux)."""
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass  # not Linux: Ctrl-C and SIGTERM still stop the worker through `finally`


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Start Fieldcast: uvicorn (pages, API, websockets, live ingest) and a Celery worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Do not start a worker.")
        parser.add_argument("--worker-concurrency", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not _port_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is in use. Stop the other program or pass --port."
            )
        worker = None if options["no_worker"] else self._start_worker(options["worker_concurrency"])
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nFieldcast is running at {url}"))
        self.stdout.write(
            f"Demo logins (password {settings.DEMO_PASSWORD}): reporter@demo.fieldcast, "
            "editor@demo.fieldcast, staff@demo.fieldcast"
        )
        self.stdout.write(f"Data lives in {settings.VAR_DIR}. Press Ctrl-C to stop.\n")
        # Under a process manager stdout is a pipe (block-buffered): show the URL now, not at exit.
        self.stdout.flush()
        config = uvicorn.Config(
            "fieldcast.asgi:application",
            host=host,
            port=port,
            lifespan="on",  # starts the RTMP listener, closes peer connections on exit
            log_config=None,  # Django's LOGGING formats every line
            ws="websockets-sansio",
        )
        # uvicorn re-raises the signal that stopped it; with SIGTERM's default action the process
        # would die before `finally` stops the worker, so SIGTERM becomes SystemExit here.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            uvicorn.Server(config).run()
        except KeyboardInterrupt:
            # Ctrl-C: uvicorn has already shut down and re-raised it; stop without a traceback.
            self.stdout.write("Stopping.")
        finally:
            if worker is not None:
                self._stop_worker(worker)

    def _start_worker(self, concurrency: int) -> subprocess.Popen[bytes]:
        schedule = settings.VAR_DIR / "celerybeat-schedule"
        command = [
            sys.executable, "-m", "celery", "-A", "fieldcast", "worker",
            "--queues", "default,transcode",
            "--concurrency", str(concurrency),
            "--beat", "--schedule", str(schedule),
            "--loglevel", "INFO",
            "--hostname", "embedded@%h",
        ]  # fmt: skip
        return subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: S603, PLW1509

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
