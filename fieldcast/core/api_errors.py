"""The DRF exception handler: every API error leaves in one shape (see `errors.py`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, error_payload

# Set in a request's META (a WSGI-style extension key) by the accounts middleware when the request
# carried a session cookie the server no longer knows.
SESSION_EXPIRED_KEY = "fieldcast.session_expired"


def _drf_fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error leaves in the same shape."""
    if isinstance(exc, ApplicationError):
        refusal = Response(exc.as_dict(), status=int(exc.status_code))
        if refusal.status_code == 401:
            _add_authenticate_header(refusal, context)
        return refusal
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None or not isinstance(exc, drf_exceptions.APIException):
        return response
    request = context.get("request")
    code, message, fields = _describe_drf_error(exc, request)
    response.data = error_payload(code, message, fields)
    return response


def _add_authenticate_header(response: Response, context: dict[str, Any]) -> None:
    """A 401 must name the scheme that would work; DRF adds it only for its own exceptions."""
    view, request = context.get("view"), context.get("request")
    if view is not None and request is not None:
        header = view.get_authenticate_header(request)
        if header:
            response["WWW-Authenticate"] = header


def _describe_drf_error(
    exc: drf_exceptions.APIException, request: Any
) -> tuple[str, str, dict[str, list[str]]]:
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _drf_fields(exc.detail)
        if isinstance(exc.detail, list):
            message = " ".join(str(item) for item in exc.detail)
        else:
            message = _("Some of the information is not valid.")
            non_field = fields.pop("non_field_errors", None)
            if non_field:
                message = " ".join(non_field)
        return "invalid", message, fields
    if isinstance(exc, drf_exceptions.ParseError):
        if exc.get_codes() == "malformed_request":
            # Our own parser's words (fieldcast.core.parsers); DRF's would quote its internals.
            return "malformed_request", str(exc.detail), {}
        return "malformed_request", _("The request body could not be read: send valid JSON."), {}
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return "unsupported_media_type", str(exc.detail), {}
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        # A bad token is the token's fault even when a stale session cookie came along.
        if (
            isinstance(exc, drf_exceptions.NotAuthenticated)
            and request is not None
            and request._request.META.get(SESSION_EXPIRED_KEY, False)
        ):
            return "session_expired", _("Your session has expired. Please log in again."), {}
        code = (
            "authentication_failed"
            if isinstance(exc, drf_exceptions.AuthenticationFailed)
            else "not_authenticated"
        )
        return code, str(exc.detail), {}
    if isinstance(exc, drf_exceptions.Throttled):
        return "rate_limited", str(exc.detail), {}
    detail = exc.detail
    message = str(detail if not isinstance(detail, dict | list) else exc.default_detail)
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    return code, message, {}


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown route under /api/: the API's error shape rather than an HTML page."""
    return JsonResponse(
        error_payload(ErrorCode.NOT_FOUND, _("There is no API endpoint at this address.")),
        status=404,
    )
