"""Comment bodies render inert: no user HTML, only our own nofollow links."""

from __future__ import annotations

import pytest

from community.comments.rendering import render_comment


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("line one\nline two", "line one<br>line two"),
        ("a & b", "a &amp; b"),
    ],
)
def test_user_markup_is_escaped(text, html):
    assert render_comment(text) == html


def test_links_become_nofollow_ugc_anchors_without_trailing_punctuation():
    # when
    html = render_comment("See https://example.org/a?b=1&c=2. Thanks")

    # then
    assert html == (
        'See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">'
        "https://example.org/a?b=1&amp;c=2</a>. Thanks"
    )


def test_a_quote_cannot_break_out_of_the_href():
    # when
    html = render_comment('https://x.org/"onmouseover="alert(1)')

    # then
    assert html == (
        '<a href="https://x.org/" rel="nofollow ugc">https://x.org/</a>'
        "&quot;onmouseover=&quot;alert(1)"
    )
