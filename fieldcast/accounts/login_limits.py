"""The one login limiter: every way to present a password goes through it (docs/security.md).

django-axes counts failed `django.contrib.auth.authenticate(request=...)` calls, so the login
page, `POST /api/v1/auth/token/`, the password change form and re-authentication share it. This
module is what axes is configured with:

* `attempted_username`: the account a try was for, however the caller named the field;
* `LoginLimitHandler`: axes' database handler plus the per-account slowdown, the owner's notice
  and the security log entries;
* `lockout_response`: 429 with `Retry-After`, in the API's error shape or as a page.

Rules: the (account, client address) pair is locked after AXES_FAILURE_LIMIT failures for the
lockout window. The account alone is never locked (anyone could lock a reporter out during
breaking news): past LOGIN_SLOWDOWN_AFTER failures from all addresses together, a try from an
address that never logged into the account waits longer and longer, and the owner is told once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fieldcast.accounts.models import SecurityEvent, SecurityEventKind, User
from fieldcast.accounts.services import security_event_record
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import error_payload

logger = logging.getLogger(__name__)

_USERNAME_KEYS = ("login", "email", "username")


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a password was presented for, lower-cased (emails are stored lower-cased).

    Callers name it differently (allauth: `email`, the login form: `login`, axes itself:
    `login` from AXES_USERNAME_FORM_FIELD); one spelling keeps one counter per account.
    """
    sources: list[Mapping[str, Any]] = [credentials or {}]
    if request is not None and request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        for key in _USERNAME_KEYS:
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None


def client_address(request: HttpRequest) -> str | None:
    """The address a lockout is tied to (AXES_CLIENT_IP_CALLABLE); see LOGIN_LIMITS_PROXY_COUNT."""
    proxies = settings.LOGIN_LIMITS_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _account_failures(username: str, since: datetime) -> tuple[int, datetime | None]:
    """Failures for one account from every address within the window, and the latest one."""
    row = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    return int(row["failures"] or 0), row["latest"]


def slowdown_seconds(failures: int) -> int:
    """How long a new address waits after the latest failure, for this many account failures."""
    over = failures - settings.LOGIN_SLOWDOWN_AFTER
    if over < 0:
        return 0
    return int(
        min(settings.LOGIN_SLOWDOWN_BASE_SECONDS * 2**over, settings.LOGIN_SLOWDOWN_MAX_SECONDS)
    )


class LoginLimitHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-account slowdown and the security log."""

    def is_allowed(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if not super().is_allowed(request, credentials):
            request.fieldcast_retry_after = self._pair_retry_after(request, credentials)
            return False
        wait = self._account_wait(request, credentials)
        if wait > 0:
            request.fieldcast_retry_after = wait
            return False
        return True

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        username = attempted_username(request, credentials)
        # Tries refused during a lockout or a slowdown are not counted by axes
        # (axes_failures_since_start stays None): they write nothing, so a flood of them cannot
        # flood the security log either.
        counted = request.axes_failures_since_start is not None
        if getattr(request, "axes_locked_out", False):
            if not hasattr(request, "fieldcast_retry_after"):
                request.fieldcast_retry_after = self._pair_retry_after(request, credentials)
            if counted:  # this failure started the lockout: one entry per lockout
                self._record(SecurityEventKind.LOGIN_LOCKED_OUT, username, request)
        if counted and username:
            self._maybe_tell_owner(username, request)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _window_start(request: HttpRequest) -> datetime:
        cool_off = get_cool_off(request) or timedelta(0)
        return timezone.now() - cool_off

    def _pair_retry_after(self, request: Any, credentials: dict[str, Any] | None) -> int:
        username = attempted_username(request, credentials)
        latest = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).aggregate(latest=Max("attempt_time"))["latest"]
        cool_off = get_cool_off(request) or timedelta(0)
        if latest is None:
            return int(cool_off.total_seconds())
        return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))

    def _account_wait(self, request: Any, credentials: dict[str, Any] | None) -> int:
        username = attempted_username(request, credentials)
        if not username:
            return 0
        failures, latest = _account_failures(username, self._window_start(request))
        delay = slowdown_seconds(failures)
        if delay == 0 or latest is None:
            return 0
        # The owner's own device (an address that logged into this account before) is not slowed.
        if AccessLog.objects.filter(username=username, ip_address=request.axes_ip_address).exists():
            return 0
        remaining = (latest + timedelta(seconds=delay) - timezone.now()).total_seconds()
        return max(0, math.ceil(remaining))

    def _maybe_tell_owner(self, username: str, request: HttpRequest) -> None:
        since = self._window_start(request)
        failures, _latest = _account_failures(username, since)
        if failures < settings.LOGIN_SLOWDOWN_AFTER:
            return
        user = User.objects.filter(email=username, is_active=True).first()
        if user is None:
            return
        told = SecurityEvent.objects.filter(
            user=user, kind=SecurityEventKind.LOGIN_SLOWED, created_at__gte=since
        )
        if told.exists():  # once per window
            return
        self._record(SecurityEventKind.LOGIN_SLOWED, username, request, user=user)
        # In the site's language: the request's is whatever the person guessing passwords chose.
        with translation.override(settings.LANGUAGE_CODE):
            self._tell_owner(user, failures)

    @staticmethod
    def _tell_owner(user: User, failures: int) -> None:
        send_mail(
            _("[Fieldcast] Many wrong passwords for your account"),
            _(
                "Someone typed a wrong password for your Fieldcast account %(count)d times in "
                "the last few minutes. Your account is not locked: new attempts from unknown "
                "places are slowed down. If this was not you, nothing needs doing; if you fear "
                "your password is known, reset it from the login page."
            )
            % {"count": failures},
            None,
            [user.email],
        )

    @staticmethod
    def _record(
        kind: str, username: str | None, request: HttpRequest, user: User | None = None
    ) -> None:
        if user is None and username:
            user = User.objects.filter(email=username).first()
        security_event_record(
            kind=kind,
            user=user,
            ip_address=getattr(request, "axes_ip_address", None),
            detail={"path": getattr(request, "path", "")},
        )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """429 with Retry-After: the API's error shape under /api/, a page elsewhere."""
    retry_after = int(getattr(request, "fieldcast_retry_after", 0) or 0)
    if retry_after <= 0:
        retry_after = int((get_cool_off(request) or timedelta(seconds=60)).total_seconds())
    minutes = max(1, math.ceil(retry_after / 60))
    message = ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute, or reset your password.",
        "Too many failed login attempts. Try again in %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_payload(ErrorCode.TOO_MANY_ATTEMPTS, message), status=429)
    else:
        response = render(
            request, "account/lockout.html", {"message": message, "minutes": minutes}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response
