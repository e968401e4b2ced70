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
        if expired and not request.path.startswith("/api/"):
            messages.info(request, _("Your session has expired. Please log in again."))
        return self.get_response(request)
