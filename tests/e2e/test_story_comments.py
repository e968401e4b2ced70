"""Story comments and guest experts in Chromium: a viewer comments on a story (an XSS payload stays
text), replies to a reply two levels deep; a guest expert's comment carries the badge."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community.comments import services as comment_services
from community.events import services as event_services
from community.models import Comment
from community.stories import services as story_services
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def test_viewer_comments_on_a_story_and_a_guest_expert_stands_out(
    server: LiveServer, page: Page
) -> None:
    # given a story, a guest expert who commented on it, and a viewer
    editor = UserFactory(roles=["reporter", "editor", "staff"])
    expert = UserFactory(display_name="Dr Amina Bello")
    viewer = UserFactory(display_name="Viewer Vee")
    story = story_services.story_create(user=editor, title="Floods in the north")
    event_services.guest_expert_grant(
        user=editor, expert_id=expert.pk, title=f"Hydrologist {PAYLOAD}"
    )
    expert_comment = comment_services.comment_create(
        user=expert, story_id=story.pk, body="The river peaks tonight."
    )

    # when the viewer comments on the story page (with a payload that must stay text)
    log_in(page, server, viewer.email)
    page.goto(f"{server.url}/community/stories/{story.pk}/")
    page.get_by_test_id("comment-body").fill(f"Stay safe {PAYLOAD}")
    page.get_by_test_id("comment-submit").click()

    # then it shows as text and no script ran; the expert's comment carries the badge
    newest = page.get_by_test_id("comment").first
    expect(newest.get_by_test_id("comment-text")).to_contain_text("Stay safe <img src=x")
    expert_row = page.locator(f"#comment-{expert_comment.pk}")
    expect(expert_row.get_by_test_id("guest-expert")).to_have_text("Guest expert")
    expect(page.get_by_test_id("guest-expert")).to_have_count(1)
    assert page.evaluate("window.__pwned") is None

    # when they reply to the expert, then the expert answers, then they reply to that reply
    expert_row.get_by_test_id("reply-toggle").first.click()
    expert_row.get_by_test_id("reply-body").first.fill("How high?")
    expert_row.get_by_test_id("reply-submit").first.click()
    first_reply = page.locator("[data-depth='1']")
    expect(first_reply.get_by_test_id("comment-text")).to_have_text("How high?")
    comment_services.comment_create(
        user=expert,
        story_id=story.pk,
        body="About 2 m above normal.",
        parent_id=Comment.objects.get(body="How high?").pk,
    )
    page.reload()
    second = page.locator("[data-depth='2']")
    expect(second.get_by_test_id("comment-text")).to_have_text("About 2 m above normal.")
    second.get_by_test_id("reply-toggle").first.click()
    second.get_by_test_id("reply-body").first.fill("Thank you https://example.org/levels")
    second.get_by_test_id("reply-submit").first.click()

    # then the third-level answer is behind "show more", which opens the thread
    show_more = page.get_by_test_id("show-more")
    expect(show_more).to_have_text("Show 1 more reply")
    show_more.click()
    expect(page.locator("[data-depth='3']").get_by_test_id("comment-text")).to_contain_text(
        "Thank you"
    )
    link = page.locator("a[href='https://example.org/levels']")
    expect(link).to_have_attribute("rel", "nofollow ugc")
    assert page.evaluate("window.__pwned") is None
    assert list(
        Comment.objects.filter(story=story).order_by("depth", "id").values_list("depth", flat=True)
    ) == [0, 0, 1, 2, 3]
