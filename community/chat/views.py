"""The live chat on a page of its own (/community/chat/<channel>/): a pop-out beside the player,
and the same panel the live pages include.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from community.chat import selectors as chat_selectors
from fieldcast.core.errors import NotFound


def chat_page(request: HttpRequest, channel: str) -> HttpResponse:
    try:
        slug = chat_selectors.chat_channel(channel=channel)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "community/chat_page.html", {"channel": slug})
