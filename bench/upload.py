"""Benchmark: tus uploads of 100 MB and 2 GB over loopback vs a plain local file copy.

For each size it starts a fresh web process (`python -m fieldcast up --no-worker`, SQLite, local
storage, in a throw-away var dir under /tmp), uploads a generated random file with tuspy, and
reports the throughput and the web process's resident memory: at rest, and its peak (VmHWM)
after the upload. The same file is then copied with `cp` for comparison. All generated files are
deleted at the end.

    .venv/bin/python bench/upload.py                 # 100 MB and 2 GB
    .venv/bin/python bench/upload.py --sizes 50,500  # MB
    STORAGE=s3 S3_ENDPOINT_URL=... .venv/bin/python bench/upload.py --storage s3 --sizes 100,500

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tusclient import client as tus

ROOT = Path(__file__).resolve().parents[1]
MB = 1000 * 1000
CHUNK = 32 * 1024 * 1024  # tuspy reads a chunk into memory per PATCH (client side only)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for {pid}")


def make_file(path: Path, size: int) -> str:
    """Random bytes (incompressible), written in 8 MiB blocks; returns the sha1."""
    digest = hashlib.sha1(usedforsecurity=False)
    block = os.urandom(8 * 1024 * 1024)
    written = 0
    with path.open("wb") as out:
        while written < size:
            piece = block[: min(len(block), size - written)]
            # Vary each block a little so nothing downstream can deduplicate.
            piece = written.to_bytes(8, "little") + piece[8:]
            out.write(piece)
            digest.update(piece)
            written += len(piece)
    return digest.hexdigest()


class Server:
    def __init__(self, var_dir: Path, storage: str) -> None:
        self.var_dir = var_dir
        self.storage = storage
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DATABASE_URL", "REDIS_URL", "STORAGE"}
            },
            # S3: the endpoint, bucket and keys come from the environment (S3_ENDPOINT_URL, ...).
            "STORAGE": storage,
            "FIELDCAST_VAR_DIR": str(var_dir),
            "LOG_LEVEL": "WARNING",
            "UPLOAD_MAX_BYTES": str(8 * 1024**3),
            "UPLOAD_DAILY_BYTES": str(64 * 1024**3),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self) -> None:
        self.manage("migrate", "-v0")
        if self.storage == "s3":
            self.manage("storage_bucket")
        log = (self.var_dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fieldcast", "up", "--no-worker", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

    def token(self) -> str:
        code = (
            "from fieldcast.accounts.models import User;"
            "from fieldcast.accounts.services import user_setup_new, user_grant_role, api_token_create;"
            "u = User.objects.create_user('bench@example.org', 'x');"
            "user_setup_new(user=u); user_grant_role(user=u, role='reporter', granted_by=None);"
            "print(api_token_create(user=u))"
        )
        return self.manage("shell", "-v0", "-c", code).strip().splitlines()[-1]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def sample_peak(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], rss_kib(pid, "VmHWM"))
        except (OSError, RuntimeError):
            return
        time.sleep(0.01)


def stored_sha1(server: Server) -> str:
    """The sha1 of the one source the server stored (read back outside the server)."""
    code = (
        "import hashlib, sys;"
        "from django.core.files.storage import default_storage;"
        "from fieldcast.videos.models import Video;"
        "v = Video.objects.get();"
        "d = hashlib.sha1(usedforsecurity=False);"
        "f = default_storage.open(v.source_key, 'rb');"
        "[d.update(b) for b in iter(lambda: f.read(8 << 20), b'')];"
        "print(d.hexdigest())"
    )
    return server.manage("shell", "-v0", "-c", code).strip().splitlines()[-1]


def bench_upload(size: int, work: Path, storage: str) -> dict[str, float | int | str]:
    source = work / f"upload-{size}.bin"
    sha1 = make_file(source, size)
    server = Server(work / f"var-{size}", storage)
    server.var_dir.mkdir()
    try:
        server.start()
        token = server.token()
        assert server.process is not None
        pid = server.process.pid
        time.sleep(1.0)
        rest = rss_kib(pid, "VmRSS")
        stop, peak = threading.Event(), [rest]
        sampler = threading.Thread(target=sample_peak, args=(pid, stop, peak), daemon=True)
        sampler.start()
        uploader = tus.TusClient(
            f"{server.url}/api/v1/uploads/", headers={"Authorization": f"Token {token}"}
        ).uploader(
            str(source), chunk_size=CHUNK, metadata={"filename": "bench.mp4", "title": "Bench"}
        )
        started = time.perf_counter()
        uploader.upload()
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        hwm = rss_kib(pid, "VmHWM")
        assert stored_sha1(server) == sha1, "stored bytes differ from the source"
    finally:
        server.stop()

    copy_target = work / f"copy-{size}.bin"
    started = time.perf_counter()
    copier = subprocess.Popen(["cp", str(source), str(copy_target)])
    # Sampled from /proc: ru_maxrss of a child would include the forked Python's pages.
    stop, copy_peak = threading.Event(), [0]
    sampler = threading.Thread(target=sample_peak, args=(copier.pid, stop, copy_peak), daemon=True)
    sampler.start()
    assert copier.wait() == 0, "cp failed"
    stop.set()
    sampler.join()
    # The server fsyncs what it stores; so does the copy, for a fair comparison.
    subprocess.run(["sync", str(copy_target)], check=True)
    copy_seconds = time.perf_counter() - started
    copy_rss = copy_peak[0]
    for path in (source, copy_target):
        path.unlink()
    shutil.rmtree(server.var_dir, ignore_errors=True)
    return {
        "size_mb": round(size / MB),
        "upload_seconds": round(seconds, 2),
        "upload_mb_s": round(size / MB / seconds, 1),
        "web_rss_rest_mib": round(rest / 1024, 1),
        "web_rss_peak_mib": round(max(peak[0], hwm) / 1024, 1),
        "web_rss_growth_mib": round((max(peak[0], hwm) - rest) / 1024, 1),
        "copy_seconds": round(copy_seconds, 2),
        "copy_mb_s": round(size / MB / copy_seconds, 1),
        "copy_peak_rss_mib": round(copy_rss / 1024, 1),
        "sha1_ok": "yes",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100,2000", help="file sizes in MB, comma-separated")
    parser.add_argument(
        "--storage",
        choices=["local", "s3"],
        default="local",
        help="s3: multipart to the bucket configured by S3_ENDPOINT_URL, AWS_* variables",
    )
    args = parser.parse_args()
    sizes = [int(value) * MB for value in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="fc-bench-upload-", dir="/tmp") as tmp:
        for size in sizes:
            rows.append(bench_upload(size, Path(tmp), args.storage))
    header = (
        f"{'size':>7} | {'tus MB/s':>8} | {'tus s':>7} | {'web RSS rest':>12} | "
        f"{'web RSS peak':>12} | {'growth':>7} | {'cp MB/s':>8} | {'cp s':>6} | {'cp RSS':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['size_mb']:>5}MB | {row['upload_mb_s']:>8} | {row['upload_seconds']:>7} | "
            f"{row['web_rss_rest_mib']:>9}MiB | {row['web_rss_peak_mib']:>9}MiB | "
            f"{row['web_rss_growth_mib']:>4}MiB | {row['copy_mb_s']:>8} | {row['copy_seconds']:>6} | "
            f"{row['copy_peak_rss_mib']:>4}MiB"
        )
    peaks = [float(row["web_rss_peak_mib"]) for row in rows]
    summary = {
        "bench": "upload",
        "storage": args.storage,
        "rows": rows,
        "peak_rss_growth_first_to_last_mib": round(peaks[-1] - peaks[0], 1),
        "target_growth_below_mib": 30,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
