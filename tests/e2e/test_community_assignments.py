"""Assignments journey in Chromium: an editor publishes a call for footage from the page; a
reporter in that city sees it first on the assignments page and opens it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from community import services
from community.models import Assignment
from tests.e2e.conftest import LiveServer
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def _log_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id("role-badge")).to_be_visible()


def test_editor_publishes_an_assignment_and_a_reporter_sees_it(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given an editor, a reporter in Kano, and an older call elsewhere
    editor = UserFactory(roles=["editor"])
    reporter = UserFactory(roles=["reporter"], city="Kano")
    now = timezone.now()
    services.assignment_publish(
        user=editor,
        title="Elsewhere call",
        brief="Far away.",
        city="Abuja",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        urgency="breaking",
    )

    # when the editor publishes from the page
    _log_in(page, server, editor.email)
    page.goto(f"{server.url}/community/assignments/")
    page.get_by_test_id("assignment-new").click()
    page.fill("input[name=title]", "Kano market flood")
    page.fill("textarea[name=brief]", "Water level at the market gates, wide shots.")
    page.fill("input[name=city]", "Kano")
    page.fill("input[name=starts_at]", "2026-11-26T08:00")
    page.fill("input[name=ends_at]", "2026-11-26T18:00")
    page.select_option("select[name=urgency]", "high")
    page.fill("input[name=points_bonus]", "40")
    page.get_by_test_id("assignment-submit").click()

    # then its page shows it
    expect(page.get_by_test_id("assignment-title")).to_have_text("Kano market flood")
    created = Assignment.objects.get(title="Kano market flood")
    assert (created.city, created.urgency, created.points_bonus) == ("Kano", "high", 40)

    # when the reporter opens the assignments page from the header
    reporter_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    reporter_page = reporter_context.new_page()
    _log_in(reporter_page, server, reporter.email)
    reporter_page.locator("header nav").get_by_role("link", name="Assignments", exact=True).click()

    # then the call in their city comes first, marked near them, and opens with an upload link
    rows = reporter_page.get_by_test_id("assignment")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Kano market flood")
    expect(rows.first.get_by_test_id("near-you")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Elsewhere call")
    rows.first.get_by_role("link", name="Kano market flood").click()
    expect(reporter_page.get_by_test_id("assignment-upload")).to_have_attribute(
        "href", f"/videos/upload/?assignment={created.pk}"
    )
    reporter_context.close()
