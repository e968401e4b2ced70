"""A real web process (uvicorn, no worker) for the tus tests, which a test may kill and restart.

A web replica (no program engine, no RTMP listener), stopped when the tus tests are done."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldcast.accounts.services import api_token_create
from tests.factories import UserFactory
from tests.processes import ROOT, free_port, process_env

# Small limits so the refusals are cheap to reach; a short lease so a killed process's upload
# can be resumed within seconds.
SERVER_SETTINGS = {
    "UPLOAD_MAX_BYTES": str(64 * 1024 * 1024),
    "UPLOAD_DAILY_BYTES": str(150 * 1024 * 1024),
    "UPLOAD_MAX_CONCURRENT": "3",
    "UPLOAD_LEASE_SECONDS": "3",
    "UPLOAD_S3_PART_SIZE": str(5 * 1024 * 1024),
}


class WebProcess:
    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.uploads_url = f"{self.url}/api/v1/uploads/"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = process_env(**SERVER_SETTINGS)
        command = [sys.executable, "-m", "fieldcast", "up", "--no-worker"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the server did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no chance to commit anything more."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        # `up` runs uvicorn in this very process, so nothing else keeps the port.

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="package")
def upload_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebProcess]:
    server = WebProcess(tmp_path_factory.mktemp("tus") / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tus_server(upload_server: WebProcess, transactional_db: None) -> WebProcess:
    """The running web process; this test's rows are committed so it sees them."""
    return upload_server


@pytest.fixture
def make_reporter(transactional_db: None):
    """A reporter and the headers of their API token."""

    def make(roles: tuple[str, ...] = ("reporter",)) -> tuple[object, dict[str, str]]:
        user = UserFactory(roles=list(roles))
        key = api_token_create(user=user)
        return user, {"Authorization": f"Token {key}", "Tus-Resumable": "1.0.0"}

    return make
