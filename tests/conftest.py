"""Fixtures shared by every test, and the rule that a skipped test fails the run in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import UserFactory

_skipped: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser journeys run last: Playwright's sync API keeps an event loop in the main thread for
    # the session-scoped browser, which would break async_to_sync in every test after it; and the
    # e2e server's worker must not consume tasks that other tests enqueue on a shared broker.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # In CI every test must run: a skip hides a missing install step or service.
    if os.environ.get("CI") == "true" and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get("CI") == "true" and _skipped:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped)} skipped test(s) fail the run: {', '.join(_skipped)}",
            red=True,
        )


@pytest.fixture(scope="session", autouse=True)
def _s3_bucket() -> None:
    """With STORAGE=s3 the bucket must exist before any test writes media."""
    if settings.STORAGE == "s3":
        call_command("storage_bucket", verbosity=0)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends in the default language.

    LocaleMiddleware activates the request's language in the thread and never resets it, so a
    test client request in Chinese would leave later tests' messages in Chinese.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def viewer(db: None):
    return UserFactory()


@pytest.fixture
def reporter(db: None):
    return UserFactory(roles=["reporter"])


@pytest.fixture
def editor(db: None):
    return UserFactory(roles=["reporter", "editor"])


@pytest.fixture
def staff_user(db: None):
    return UserFactory(roles=["reporter", "editor", "staff"], is_staff=True)
