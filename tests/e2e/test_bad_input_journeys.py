"""Bad input in the browser: each gets a clear message, in the visitor's language."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from fieldcast.accounts.models import User
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

TAKEN_EN = "A user is already registered with this email address."
TAKEN_ZH = "此电子邮件地址已被其他用户注册。"  # from django-allauth's own zh_Hans catalog


def _fill_sign_up(page: Page, email: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "a-long-and-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-and-unusual-passphrase")
    page.click("form button[type=submit]:not(.link-button)")


def test_sign_up_with_a_taken_email_looks_like_any_sign_up(server: LiveServer, page: Page) -> None:
    # given an account with this email exists
    UserFactory(email="taken@example.org")
    page.goto(f"{server.url}/accounts/signup/")

    # when a visitor signs up with it
    _fill_sign_up(page, "taken@example.org")

    # then the page does not tell that the account exists (the owner is emailed instead), and no
    # second account exists
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert TAKEN_EN not in page.locator("main").inner_text()
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert any(mail["To"] == "taken@example.org" for mail in server.emails())


def test_sign_up_with_a_taken_email_in_chinese_tells_nothing_either(
    server: LiveServer, page: Page
) -> None:
    # given an account with this email exists, and a visitor who switched to 中文
    UserFactory(email="taken@example.org")
    page.goto(f"{server.url}/accounts/signup/")
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # when they sign up with the taken email
    _fill_sign_up(page, "taken@example.org")

    # then the next page is the usual one, in Chinese, with no "already registered" in any language
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    main = page.locator("main").inner_text()
    assert TAKEN_ZH not in main
    assert TAKEN_EN not in main
    assert User.objects.filter(email="taken@example.org").count() == 1


def test_unknown_page_shows_the_styled_404(server: LiveServer, page: Page) -> None:
    # when a visitor opens an address that does not exist
    response = page.goto(f"{server.url}/no/such/page/")

    # then they get the site's 404 page, styled, with a way home
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_have_attribute("href", "/")
    stylesheet_rules = page.evaluate(
        """() => [...document.styleSheets]
            .filter((sheet) => (sheet.href || "").endsWith("/static/css/fieldcast.css"))
            .map((sheet) => sheet.cssRules.length)"""
    )
    assert len(stylesheet_rules) == 1
    assert stylesheet_rules[0] > 0


def test_expired_session_tells_the_person_why(server: LiveServer, page: Page) -> None:
    # given a reporter logged in on their profile
    user = UserFactory(email="expiring@example.org", roles=["reporter"])
    log_in(page, server, user.email)
    expect(page.get_by_test_id("role-badge")).to_be_visible()

    # when the server forgets their session (expired or cleared) and they reload their profile
    Session.objects.all().delete()
    page.goto(f"{server.url}/accounts/profile/")

    # then they are on the login page, told why
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/profile/$"))
    expect(page.locator(".messages")).to_contain_text(
        "Your session has expired. Please log in again."
    )

    # and the message does not follow them around
    page.goto(f"{server.url}/")
    expect(page.locator("h1")).to_be_visible()
    assert "Your session has expired" not in page.locator("main").inner_text()
