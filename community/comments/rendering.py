"""Comment text to HTML: everything escaped, bare http(s) links made clickable, line breaks kept.

No HTML from users ever reaches a page: the text is split around URLs, every piece escaped,
and only the anchors built here (rel="nofollow ugc") are markup.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def render_comment(text: str) -> SafeString:
    """Safe HTML for a comment body."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        # "see https://x.org/a." : the full stop ends the sentence, not the link.
        stripped = url.rstrip(_TRAILING)
        end = match.start() + len(stripped)
        parts.append(escape(text[position : match.start()]))
        href = escape(stripped)
        parts.append(f'<a href="{href}" rel="nofollow ugc">{href}</a>')
        position = end
    parts.append(escape(text[position:]))
    html = "".join(parts).replace("\r\n", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece above is escaped
