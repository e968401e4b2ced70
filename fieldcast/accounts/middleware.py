"""Tell a person whose session ran out why they are logged out."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class ExpiredSessionMiddleware:
    """Marks requests that carry a session cookie the server no longer knows.

    Django drops such a cookie silently; we say why the person is logged out (a page message,
    or the API's `session_expired` error code).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An empty value is a cookie the server already deleted (some clients still send it back).
        had_cookie = bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        # request.user loads the session first, so is_empty() reflects what the store holds.
        expired = had_cookie and not request.user.is_authenticated and request.session.is_empty()
        request.session_expired = expired  # type: ignore[attr-defined]
        is_page = not request.path.startswith(NON_PAGE_PREFIXES)
        # A background request (API, websocket fallback) may be the one that meets the expired
        # session first, and Django then drops the cookie; a marker cookie carries the news to the
        # next page the person opens.
        told_before = bool(request.COOKIES.get(EXPIRED_MARKER))
        tell_now = is_page and (expired or (told_before and not request.user.is_authenticated))
        if tell_now:
            messages.info(request, _("Your session has expired. Please log in again."))
        response = self.get_response(request)
        if tell_now or (told_before and request.user.is_authenticated):
            response.delete_cookie(EXPIRED_MARKER)
        elif expired:
            response.set_cookie(
                EXPIRED_MARKER, "1", max_age=600, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response


EXPIRED_MARKER = "fieldcast_session_expired"
NON_PAGE_PREFIXES = ("/api/", "/static/", "/ws/", "/videos/media/")
