"""Account journeys in headless Chromium against the real server."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, log_in, submit_login
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def test_sign_up_verify_email_log_in_and_see_reporter_nav(server: LiveServer, page: Page) -> None:
    # given a newcomer on the sign-up page
    page.goto(f"{server.url}/accounts/signup/")

    # when they sign up
    page.fill("input[name=email]", "amina@example.org")
    page.fill("input[name=display_name]", "Amina")
    page.fill("input[name=password1]", "a-long-and-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-and-unusual-passphrase")
    page.click("form button[type=submit]:not(.link-button)")

    # then they are asked to verify, and a verification email arrives
    expect(page.locator("main")).to_contain_text("Verify Your Email Address")
    mails = [m for m in server.emails() if m["To"] == "amina@example.org"]
    assert len(mails) == 1
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", body)
    assert link is not None

    # when they follow the link and confirm
    page.goto(link.group(0))
    page.click("main form button[type=submit]")

    # then they are logged in as a reporter
    expect(page.get_by_test_id("role-badge")).to_have_text(re.compile("Reporter", re.I))
    page.goto(f"{server.url}/")
    expect(page.locator(".account-name")).to_have_text("Amina")

    # and after logging out and in again they still see the reporter's navigation
    page.click("header button:has-text('Log out')")
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", "amina@example.org")
    page.fill("input[name=password]", "a-long-and-unusual-passphrase")
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id("role-badge")).to_have_text(re.compile("Reporter", re.I))


def test_switch_language_to_chinese(server: LiveServer, page: Page) -> None:
    # given the home page in English
    page.goto(f"{server.url}/")
    expect(page.locator("h1")).to_have_text("News from the people who are there.")

    # when the visitor picks 简体中文
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")

    # then the page is translated
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("来自现场的新闻。")
    expect(page.locator("header")).to_contain_text("登录")


def test_create_api_token_and_call_me(server: LiveServer, page: Page) -> None:
    # given a logged-in reporter on their profile page
    user = UserFactory(email="token@example.org", display_name="Tok", roles=["reporter"])
    log_in(page, server, user.email)
    page.goto(f"{server.url}/accounts/profile/")

    # when they create a token
    page.click("button:has-text('Create token')")
    key = page.get_by_test_id("new-token").inner_text().strip()

    # then the token authenticates an API call
    request = urllib.request.Request(
        f"{server.url}/api/v1/me/", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        me = json.load(response)
    assert me["email"] == "token@example.org"
    assert me["roles"] == ["viewer", "reporter"]


def test_too_many_wrong_passwords_show_the_lockout_page(server: LiveServer, page: Page) -> None:
    # given a reporter's account
    user = UserFactory(email="locked@example.org", roles=["reporter"])

    # when someone types a wrong password again and again
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_login(page, server, user.email, "not-the-password")

    # then a page says why and how long, and offers a password reset; the right password
    # from this browser is refused too
    lockout = page.get_by_test_id("lockout")
    expect(lockout).to_contain_text("Too many failed login attempts. Try again in 15 minutes")
    expect(page.get_by_role("link", name="Reset your password")).to_be_visible()
    submit_login(page, server, user.email)
    expect(page.get_by_test_id("lockout")).to_be_visible()


def test_export_data_then_ask_for_deletion_and_change_your_mind(
    server: LiveServer, page: Page
) -> None:
    # given a reporter logged in on their profile page
    user = UserFactory(email="leaving@example.org", roles=["reporter"])
    submit_login(page, server, user.email)
    page.goto(f"{server.url}/accounts/profile/")

    # when they download their data
    with page.expect_download() as download_info:
        page.get_by_test_id("export-data").click()
    download = download_info.value

    # then the file holds their profile
    assert download.suggested_filename == f"fieldcast-data-{user.pk}.json"
    with open(download.path(), encoding="utf-8") as exported:
        assert json.load(exported)["profile"]["email"] == "leaving@example.org"

    # when they ask to delete their account, with their password
    page.fill("#delete-password", DEFAULT_PASSWORD)
    page.get_by_test_id("request-deletion").click()

    # then the page says when it will happen, and they can change their mind
    expect(page.get_by_test_id("deletion-scheduled")).to_be_visible()
    page.get_by_test_id("cancel-deletion").click()
    expect(page.get_by_test_id("request-deletion")).to_be_visible()
    user.refresh_from_db()
    assert user.deletion_due_at is None
