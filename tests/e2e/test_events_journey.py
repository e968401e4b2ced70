"""Events journey in Chromium: staff announce a meet-up with one place; the first reporter takes
it, the second lands on the waiting list and is told so; the first cancels and the second gets
the place with a notification; once it has started, staff tick attendance and points are paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from community.models import Event, EventRegistration
from fieldcast.points.models import PointEvent
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_sign_up_waiting_list_promotion_and_attendance(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given staff and two reporters
    editor = UserFactory(roles=["reporter", "editor"])
    first = UserFactory(roles=["reporter"], display_name="Ada Obi")
    second = UserFactory(roles=["reporter"], display_name="Bola Ade")

    # when staff create a meet-up with one place from the events page
    log_in(page, server, editor.email)
    page.locator("header nav").get_by_role("link", name="Events", exact=True).click()
    page.get_by_test_id("event-new").click()
    start = timezone.localtime() + timedelta(days=2)
    page.fill("input[name=title]", "Night filming meet-up")
    page.fill("textarea[name=description]", "Bring your phone and a torch.")
    page.select_option("select[name=kind]", "meetup")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "Community hall, Yaba")
    page.fill("input[name=capacity]", "1")
    page.get_by_test_id("event-submit").click()
    expect(page.get_by_test_id("event-title")).to_have_text("Night filming meet-up")
    event = Event.objects.get(title="Night filming meet-up")

    contexts = []
    try:
        phones = []
        for person in (first, second):
            context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
            contexts.append(context)
            phone = context.new_page()
            log_in(phone, server, person.email)
            phone.goto(f"{server.url}/community/events/")
            phone.get_by_role("link", name="Night filming meet-up").click()
            phones.append(phone)
        ada, bola = phones

        # and the first reporter signs up: a place
        ada.get_by_test_id("event-sign-up").click()
        expect(ada.get_by_test_id("event-state")).to_have_text("You have a place")

        # then the second is offered the waiting list and told clearly where they stand
        bola.reload()
        expect(bola.get_by_test_id("event-sign-up")).to_have_text("Join the waiting list")
        bola.get_by_test_id("event-sign-up").click()
        expect(bola.locator(".message-success")).to_contain_text(
            "The event is full: you are number 1 on the waiting list."
        )
        expect(bola.get_by_test_id("event-state")).to_have_text("Waiting list: number 1")

        # when the first cancels
        ada.get_by_test_id("event-cancel").click()
        expect(ada.locator(".message-success")).to_contain_text("Your sign-up is cancelled.")

        # then the second has the place and a notification about it
        bola.reload()
        expect(bola.get_by_test_id("event-state")).to_have_text("You have a place")
        bola.goto(f"{server.url}/community/notifications/")
        expect(bola.get_by_test_id("notification").first).to_contain_text(
            "A place freed up: you are now going to “Night filming meet-up”."
        )
    finally:
        for context in contexts:
            context.close()

    # when the event has started and staff tick the second reporter on the attendance sheet
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    page.goto(f"{server.url}/community/events/{event.pk}/")
    page.get_by_test_id("event-attendance-link").click()
    page.get_by_test_id("attended-check").check()
    page.get_by_test_id("attendance-submit").click()

    # then the sheet shows the attendance and the points were paid once
    expect(page.get_by_test_id("attended")).to_have_count(1)
    assert EventRegistration.objects.get(event=event, user=second).attended_at is not None
    assert list(
        PointEvent.objects.filter(rule="event_attended").values_list("user_id", flat=True)
    ) == [second.pk]
