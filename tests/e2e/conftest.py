"""End-to-end fixtures: the real server (`python -m fieldcast up`) and headless Chromium.

The server runs in a subprocess against the test database that pytest-django created, so data the
test makes (with `transactional_db`, committed) is what the server sees, and the other way round.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import OperationalError, transaction
from django.test import TransactionTestCase
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.factories import DEFAULT_PASSWORD
from tests.processes import ROOT, free_port, process_env

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# plain blocking calls, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-loopback-in-peer-connection",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    log_path: Path

    def emails(self) -> list:
        """Every email the server sent, oldest first (file-based email backend)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_bytes().split(b"-" * 79):
                if raw.strip():
                    messages.append(message_from_bytes(raw.strip(), policy=policy.default))
        return messages

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self, *words: str, last: int) -> str:
        """The server's last `last` log lines mentioning any of `words` (for failure messages)."""
        lines = [line for line in self.log().splitlines() if any(w in line for w in words)]
        return "\n".join(lines[-last:])


_flush_tables = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009 - private, untyped


def _keep_content_type_ids(before: dict[tuple[str, str], int]) -> None:
    """The flush empties django_content_type and post_migrate recreates the rows under new ids,
    but the live server process caches content types (`get_for_model`): a later test that stores
    one (a points event, an admin log entry) would point at an id that no longer exists. Give each
    recreated content type (and its permissions) its old id back."""
    with transaction.atomic():
        for pk, app_label, model in list(
            ContentType.objects.values_list("pk", "app_label", "model")
        ):
            old = before.get((app_label, model))
            if old is None or old == pk:
                continue
            ContentType.objects.filter(pk=pk).update(id=old)
            Permission.objects.filter(content_type_id=pk).update(content_type_id=old)
    ContentType.objects.clear_cache()


def _flush_tables_retrying_deadlocks(test_case: TransactionTestCase) -> None:
    """Empty the tables after a test, retrying when the live server's own writes deadlock it.

    The server keeps writing while a test ends (an ingest heartbeat, a source's stats); TRUNCATE
    takes its table locks one by one, so PostgreSQL may pick the flush as a deadlock victim. The
    flush runs in one transaction, so a retry starts clean.
    """
    content_type_ids = {
        (app_label, model): pk
        for pk, app_label, model in ContentType.objects.values_list("pk", "app_label", "model")
    }
    for attempt in range(10):
        try:
            _flush_tables(test_case)
            _keep_content_type_ids(content_type_ids)
            return
        except CommandError as error:
            deadlock = isinstance(error.__cause__, OperationalError) and "deadlock" in str(
                error.__cause__
            )
            if not deadlock or attempt == 9:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="session")
def live_server_process(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    port = free_port()
    work = tmp_path_factory.mktemp("server")
    mail_dir = work / "mail"
    mail_dir.mkdir()
    # The one process of the suite with live media (program engine, RTMP): the live tests' server.
    env = process_env(
        live_media=True,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        SITE_URL=f"http://127.0.0.1:{port}",
        # Every browser of the suite logs in from 127.0.0.1, hundreds of times: allauth's cap
        # per address (shared through Redis in CI) would answer 429 to the journeys.
        LOGIN_RATE_PER_ADDRESS="10000/m/ip",
    )
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fieldcast", "up", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.25)
    patch = pytest.MonkeyPatch()
    patch.setattr(TransactionTestCase, "_fixture_teardown", _flush_tables_retrying_deadlocks)
    try:
        yield LiveServer(url=url, mail_dir=mail_dir, log_path=log_path)
    finally:
        patch.undo()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def server(live_server_process: LiveServer, transactional_db: None) -> LiveServer:
    """The running server, with a database whose rows this test commits and then flushes."""
    return live_server_process


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    yield context
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        out = ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        for index, page in enumerate(context.pages):
            page.screenshot(path=str(out / f"{request.node.name}-{index}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    pause: Callable[[], None] | None = None,
) -> bool:
    """Check `condition` until it holds or `timeout` seconds pass; return its last answer.

    Only for state no page shows and no event brings to the test (a row the server or the worker
    writes): wait on the page whenever it can tell. `pause` waits between checks; pass the page's
    `wait_for_timeout` when Playwright must keep running route handlers meanwhile.
    """
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        if pause is not None:
            pause()
        else:
            time.sleep(0.25)


def log_in(where: Page | BrowserContext, server: LiveServer, email: str) -> Page:
    """Sign `email` in through the login form (factories' password) and return the page.

    Given a browser context (another person's browser), it opens a new page in it first.
    """
    page = where.new_page() if isinstance(where, BrowserContext) else where
    submit_login(page, server, email)
    expect(page.locator(".account-name")).to_be_visible()
    return page


def submit_login(
    page: Page, server: LiveServer, email: str, password: str = DEFAULT_PASSWORD
) -> None:
    """Fill and send the login form, whatever the answer (wrong passwords, the lockout page)."""
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
