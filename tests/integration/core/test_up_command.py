"""`python -m fieldcast up`: one web process and a Celery worker child, stopped together.

Runs the real command in the embedded mode on its own data folder (SQLite, filesystem broker),
whatever services the rest of the suite is using.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.processes import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
STOP_TIMEOUT = 20


def _embedded_env(var_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(var_dir)),
        "FIELDCAST_VAR_DIR": str(var_dir),
        "LOG_FORMAT": "plain",
    }


def _children(pid: int) -> list[int]:
    # Scan /proc for the parent id: /proc/<pid>/task/<pid>/children needs a kernel option.
    children = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat_file.parent.name))
    return children


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited, it only waits to be reaped


def _get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated embedded-mode data folder, as `make run` prepares it."""
    folder = tmp_path_factory.mktemp("fieldcast-var")
    result = subprocess.run(
        [sys.executable, "-m", "fieldcast", "migrate", "--noinput"],
        cwd=ROOT,
        env=_embedded_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def running(var_dir: Path, tmp_path: Path) -> Iterator[Running]:
    port = free_port()
    log_path = tmp_path / "up.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fieldcast", "up", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=_embedded_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a program started in a shell
        )
    server = Running(process=process, url=f"http://127.0.0.1:{port}", log_path=log_path)
    deadline = time.monotonic() + 120
    while True:
        try:
            if _get_json(f"{server.url}/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"`up` did not start:\n{server.log()}")
        time.sleep(0.25)
    try:
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _worker_pid(server: Running) -> int:
    workers = [pid for pid in _children(server.process.pid) if "celery" in _cmdline(pid)]
    assert len(workers) == 1, [_cmdline(pid) for pid in _children(server.process.pid)]
    return workers[0]


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _wait_for_log(server: Running, text: str) -> None:
    deadline = time.monotonic() + 120
    while text not in server.log():
        if server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"`up` never logged {text!r}:\n{server.log()}")
        time.sleep(0.25)


def test_up_serves_is_ready_and_runs_a_worker(running: Running, var_dir: Path) -> None:
    # when `up` has started
    status, body = _get_json(f"{running.url}/readyz")

    # then every readiness check is green, a worker runs beside it, and the URL was printed
    assert status == 200, body
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "storage": True,
        "channel_layer": True,
    }
    worker = _worker_pid(running)
    assert " worker " in _cmdline(worker)
    assert f"Fieldcast is running at {running.url}/" in running.log()

    # and once the worker is ready, the broker's exchange tables are in the data folder (not in
    # the working directory, where every instance started from the checkout would share them)
    _wait_for_log(running, "ready.")
    tables = {path.name for path in (var_dir / "broker" / "control").glob("*.exchange")}
    assert "celery.pidbox.exchange" in tables


@pytest.mark.parametrize(
    ("how", "signum"),
    [("ctrl_c_in_a_terminal", signal.SIGINT), ("kill_the_main_process", signal.SIGTERM)],
)
def test_up_stops_the_server_and_the_worker(running: Running, how: str, signum: int) -> None:
    # given `up` with its worker, ready for tasks
    worker = _worker_pid(running)
    _wait_for_log(running, "ready.")

    # when it is stopped: Ctrl-C signals the whole process group, `kill`/docker only the main one
    if how == "ctrl_c_in_a_terminal":
        os.killpg(running.process.pid, signum)
    else:
        running.process.send_signal(signum)

    # then the server and the worker both exit
    try:
        running.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`up` still runs {STOP_TIMEOUT}s after {how}:\n{running.log()}")
    assert _wait_gone(worker, timeout=STOP_TIMEOUT), running.log()
    assert running.process.returncode == 0, running.log()
    assert "Traceback" not in running.log()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{running.url}/healthz", timeout=2)


def test_up_on_a_busy_port_says_so() -> None:
    # given another program listening on the port
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = int(other.getsockname()[1])

        # when `up` is started on it
        with pytest.raises(CommandError) as raised:
            call_command("up", "--host", "127.0.0.1", "--port", str(port))

    # then it refuses with a clear message, before starting a worker
    assert str(raised.value) == (
        f"Port {port} on 127.0.0.1 is in use. Stop the other program or pass --port."
    )
