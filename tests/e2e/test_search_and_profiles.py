"""Search and profiles in Chromium: a viewer finds a clip with a Chinese query from the home page,
opens the reporter's profile (markup in the bio stays inert), follows them, and the home page then
shows the reporter's work first."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fieldcast.points.models import PointsAccount, Tier
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_viewer_searches_in_chinese_opens_a_profile_and_follows(
    server: LiveServer, page: Page
) -> None:
    # given a reporter with a published clip, a clip still in review, and a bio with markup
    reporter = UserFactory(roles=["reporter"], display_name="李华 Li Hua", bio=f"Harbour {PAYLOAD}")
    PointsAccount.objects.create(user=reporter, total=300, tier=Tier.TRUSTED)
    VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="城市洪水现场"
    )
    VideoFactory(owner=reporter, state="pending_review", title="洪水 draft in review")
    viewer = UserFactory(display_name="Viewer Vee")

    # when an anonymous visitor searches from the home page
    page.goto(f"{server.url}/")
    page.get_by_test_id("search-input").fill("洪水")
    page.get_by_test_id("search-submit").click()

    # then only the published clip is found, and the reporter too
    results = page.get_by_test_id("search-videos")
    expect(results).to_contain_text("城市洪水现场")
    expect(results).not_to_contain_text("draft in review")

    # when they open the reporter's profile from the result
    results.get_by_role("link", name="李华 Li Hua").click()

    # then the profile shows the tier, the published work, and the bio as plain text
    expect(page.get_by_test_id("reporter-name")).to_have_text("李华 Li Hua")
    expect(page.get_by_test_id("reporter-tier")).to_have_text("Trusted reporter")
    expect(page.get_by_test_id("reporter-videos")).to_contain_text("城市洪水现场")
    expect(page.get_by_test_id("reporter-videos")).not_to_contain_text("draft in review")
    expect(page.get_by_test_id("reporter-bio")).to_contain_text("<script>window.__pwned=2</script>")
    assert page.evaluate("window.__pwned") is None

    # when a viewer logs in and follows the reporter from the profile
    profile_url = page.url
    log_in(page, server, viewer.email)
    page.goto(profile_url)
    page.get_by_test_id("follow").click()

    # then the button flips and the count goes up
    expect(page.get_by_test_id("unfollow")).to_be_visible()
    expect(page.get_by_test_id("reporter-followers")).to_have_text("1 follower")

    # and the home page shows the reporter's clip first, under what they follow
    page.goto(f"{server.url}/")
    expect(page.get_by_test_id("following-videos")).to_contain_text("城市洪水现场")
    assert page.evaluate("window.__pwned") is None
