"""One error type for every refusal a service makes, and one place that renders it.

Services raise `ApplicationError` subclasses with a message written for the person who will read it.
`fieldcast.core.api_errors` turns those (and DRF's and Django's own exceptions) into the API's
single error shape: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``; pages show the
message.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from fieldcast.core.error_codes import ErrorCode


class ApplicationError(Exception):
    """A refusal by a service: a readable message, a stable code, optional per-field messages."""

    # An HTTPStatus, or a protocol extension's own code (tus answers a bad checksum with 460).
    status_code: int = HTTPStatus.BAD_REQUEST
    default_code: ErrorCode = ErrorCode.INVALID
    default_message = gettext_lazy("The request could not be completed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.code: ErrorCode = code or self.default_code
        self.fields = fields or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return error_payload(self.code, self.message, self.fields)

    def show_on(self, form: forms.BaseForm) -> None:
        """Put the refusal on a page's form: per-field messages by their fields, else on top."""
        for field, problems in self.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        if not self.fields:
            form.add_error(None, self.message)


class ValidationFailed(ApplicationError):
    default_code = ErrorCode.INVALID
    default_message = gettext_lazy("Some of the information is not valid.")


class NotAuthenticated(ApplicationError):
    status_code = HTTPStatus.UNAUTHORIZED
    default_code = ErrorCode.NOT_AUTHENTICATED
    default_message = gettext_lazy("Please log in first.")


class PermissionDenied(ApplicationError):
    status_code = HTTPStatus.FORBIDDEN
    default_code = ErrorCode.PERMISSION_DENIED
    default_message = gettext_lazy("You are not allowed to do that.")


class NotFound(ApplicationError):
    status_code = HTTPStatus.NOT_FOUND
    default_code = ErrorCode.NOT_FOUND
    default_message = gettext_lazy("We could not find that.")


class Conflict(ApplicationError):
    status_code = HTTPStatus.CONFLICT
    default_code = ErrorCode.CONFLICT
    default_message = gettext_lazy("That conflicts with the current state. Reload and try again.")


class RateLimited(ApplicationError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    default_code = ErrorCode.RATE_LIMITED
    default_message = gettext_lazy("Too many requests. Please wait a moment and try again.")


def error_payload(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    """The API's single error shape."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class PayloadTooLarge(ApplicationError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = gettext_lazy("The request is too large.")
