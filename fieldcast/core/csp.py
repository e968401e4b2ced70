"""The Content-Security-Policy header (django-csp 4), with the one part a setting cannot hold.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings (docs/security.md explains each
directive). Websockets need `connect-src ws://<host> wss://<host>`: the host is the request's
(already checked against ALLOWED_HOSTS), so this middleware adds it per response.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [
            *list(update.get("connect-src") or []),
            f"ws://{host}",
            f"wss://{host}",
        ]
        parts.update = update
        return parts
