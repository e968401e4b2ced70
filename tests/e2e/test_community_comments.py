"""Comments journey in Chromium: a viewer comments and replies to a reply (XSS stays inert);
an editor removes a comment from the watch page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from community.comments import services
from community.models import Comment, CommentState
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_viewer_comments_replies_to_a_reply_and_editor_removes(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    # given a published video, a viewer and an editor
    reporter = UserFactory(roles=["reporter"])
    viewer = UserFactory(display_name="Viewer Vee")
    editor = UserFactory(roles=["editor"], display_name="Editor Ed")
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())

    # and the reporter has the site open (their bell listens on /ws/me/)
    reporter_context = browser.new_context(locale="en-US")
    reporter_page = reporter_context.new_page()
    log_in(reporter_page, server, reporter.email)
    expect(reporter_page.get_by_test_id("bell-count")).to_be_hidden()
    expect(reporter_page.get_by_test_id("bell")).to_have_attribute("data-live", "1")

    # when the viewer comments from the watch page (with a payload that must stay text)
    log_in(page, server, viewer.email)
    page.goto(f"{server.url}/videos/{video.pk}/")
    page.get_by_test_id("comment-body").fill(f"First! {PAYLOAD}")
    page.get_by_test_id("comment-submit").click()

    # then it shows as text, and no script ran
    first = page.get_by_test_id("comment").first
    expect(first.get_by_test_id("comment-text")).to_contain_text("First! <img src=x")
    assert page.evaluate("window.__pwned") is None

    # and the reporter's bell shows it live, without a reload
    expect(reporter_page.get_by_test_id("bell-count")).to_have_text("1", timeout=10_000)
    reporter_context.close()

    # given the editor replies to that comment
    top = Comment.objects.get(author=viewer)
    services.comment_create(user=editor, video_id=video.pk, body="Thanks, where?", parent_id=top.pk)

    # when the viewer reloads and replies to the reply
    page.reload()
    reply = page.locator("[data-depth='1']")
    expect(reply.get_by_test_id("comment-text")).to_have_text("Thanks, where?")
    reply.get_by_test_id("reply-toggle").first.click()
    reply.get_by_test_id("reply-body").first.fill("At the bridge https://example.org/map")
    reply.get_by_test_id("reply-submit").first.click()

    # then the answer sits two levels deep, its link is nofollow ugc
    deep = page.locator("[data-depth='2']")
    expect(deep.get_by_test_id("comment-text")).to_contain_text("At the bridge")
    link = deep.locator("a[href='https://example.org/map']")
    expect(link).to_have_attribute("rel", "nofollow ugc")
    assert page.evaluate("window.__pwned") is None
    assert list(Comment.objects.order_by("depth").values_list("depth", "author_id")) == [
        (0, viewer.pk),
        (1, editor.pk),
        (2, viewer.pk),
    ]

    # when the editor removes the first comment from the watch page
    editor_context = browser.new_context(locale="en-US")
    editor_page = editor_context.new_page()
    log_in(editor_page, server, editor.email)
    editor_page.goto(f"{server.url}/videos/{video.pk}/")
    editor_page.locator(f"#comment-{top.pk} > div").get_by_test_id("comment-remove").click()

    # then the comment is replaced by a note, and the replies stay
    expect(editor_page.get_by_test_id("comment-removed")).to_have_text(
        "This comment was removed by an editor."
    )
    expect(editor_page.get_by_text("At the bridge")).to_be_visible()
    editor_context.close()
    assert Comment.objects.get(pk=top.pk).state == CommentState.REMOVED
    page.reload()
    expect(page.get_by_text("First!")).to_have_count(0)
