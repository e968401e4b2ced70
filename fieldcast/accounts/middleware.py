"""Tell a person whose session ran out why they are logged out."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from fieldcast.core.api_errors import SESSION_EXPIRED_KEY

EXPIRED_MARKER = "fieldcast_session_expired"
TOLD_MARKER = "fieldcast_session_expired_told"
NON_PAGE_PREFIXES = ("/api/", "/static/", "/ws/", "/videos/media/")
MARKER_MAX_AGE = 600


def _session_tag(session_key: str) -> str:
    """A stable, non-secret name for a dead session (the key itself never goes back out)."""
    return salted_hmac("fieldcast.expired-session", session_key).hexdigest()[:20]


class ExpiredSessionMiddleware:
    """Marks requests that carry a session cookie the server no longer knows.

    Django drops such a cookie silently; we say why the person is logged out (a page message,
    or the API's `session_expired` error code), once per dead session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An empty value is a cookie the server already deleted (some clients still send it back).
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        # request.user loads the session first, so is_empty() reflects what the store holds.
        signed_in = request.user.is_authenticated
        expired = bool(cookie) and not signed_in and request.session.is_empty()
        request.META[SESSION_EXPIRED_KEY] = expired
        is_page = not request.path.startswith(NON_PAGE_PREFIXES)

        # A background request (API, websocket fallback) may meet the dead session first, and
        # Django then drops the cookie: a marker cookie naming that session carries the news to the
        # next page. Requests run concurrently, so a background response can land after the page
        # that told already cleared the marker; the separate "told" cookie names the session we
        # told about, and a marker for that same session is then silently dropped.
        dead = _session_tag(cookie) if expired else ""
        pending = dead or request.COOKIES.get(EXPIRED_MARKER, "")
        told = request.COOKIES.get(TOLD_MARKER, "")
        tell_now = is_page and not signed_in and bool(pending) and pending != told
        if tell_now:
            messages.info(request, _("Your session has expired. Please log in again."))
        response = self.get_response(request)

        if signed_in:
            for name in (EXPIRED_MARKER, TOLD_MARKER):
                if name in request.COOKIES:
                    response.delete_cookie(name)
        elif tell_now:
            response.delete_cookie(EXPIRED_MARKER)
            self._set(response, TOLD_MARKER, pending)
        elif is_page and pending and pending == told:
            response.delete_cookie(EXPIRED_MARKER)
        elif dead and dead != told:
            self._set(response, EXPIRED_MARKER, dead)
        return response

    @staticmethod
    def _set(response: HttpResponse, name: str, value: str) -> None:
        response.set_cookie(
            name, value, max_age=MARKER_MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
