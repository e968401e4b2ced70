"""The DRF exception handler renders every error in one shape."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from fieldcast.core.api_errors import api_exception_handler
from fieldcast.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
    error_payload,
)


def _context() -> dict[str, object]:
    return {"request": None, "view": None}


@pytest.mark.parametrize(
    ("error_class", "status", "code", "message"),
    [
        (ApplicationError, 400, "invalid", "The request could not be completed."),
        (ValidationFailed, 400, "invalid", "Some of the information is not valid."),
        (NotAuthenticated, 401, "not_authenticated", "Please log in first."),
        (PermissionDenied, 403, "permission_denied", "You are not allowed to do that."),
        (NotFound, 404, "not_found", "We could not find that."),
        (
            Conflict,
            409,
            "conflict",
            "That conflicts with the current state. Reload and try again.",
        ),
        (
            RateLimited,
            429,
            "rate_limited",
            "Too many requests. Please wait a moment and try again.",
        ),
    ],
)
def test_application_error_defaults_are_rendered(
    error_class: type[ApplicationError], status: int, code: str, message: str
) -> None:
    # given a service refusal with no arguments
    error = error_class()

    # when the handler renders it
    response = api_exception_handler(error, _context())

    # then the status, code and message are the class defaults
    assert response is not None
    assert response.status_code == status
    assert response.data == {"error": {"code": code, "message": message, "fields": {}}}


def test_application_error_with_message_code_and_fields_is_rendered() -> None:
    # given a refusal that names a field
    error = ValidationFailed(
        "The title is too long.",
        code="title_too_long",
        fields={"title": ["Use at most 120 characters."]},
    )

    # when the handler renders it
    response = api_exception_handler(error, _context())

    # then everything the service said reaches the client
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "title_too_long",
            "message": "The title is too long.",
            "fields": {"title": ["Use at most 120 characters."]},
        }
    }


def test_application_error_message_is_plain_str() -> None:
    # given a refusal built from the lazy default message
    error = NotFound()

    # when it is read
    payload = error.as_dict()

    # then the message is a plain string that JSON can encode
    assert type(payload["error"]["message"]) is str
    assert str(error) == "We could not find that."


def test_drf_validation_error_becomes_fields() -> None:
    # given a serializer that rejects two fields
    class Body(serializers.Serializer):
        email = serializers.EmailField()
        age = serializers.IntegerField()

    body = Body(data={"email": "not-an-email"})
    with pytest.raises(drf_exceptions.ValidationError) as raised:
        body.is_valid(raise_exception=True)

    # when the handler renders the error
    response = api_exception_handler(raised.value, _context())

    # then each field has its messages and the summary is generic
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "invalid",
            "message": "Some of the information is not valid.",
            "fields": {
                "email": ["Enter a valid email address."],
                "age": ["This field is required."],
            },
        }
    }


def test_drf_non_field_errors_become_the_message() -> None:
    # given a validation error not tied to a field
    error = drf_exceptions.ValidationError({"non_field_errors": ["The dates overlap."]})

    # when the handler renders it
    response = api_exception_handler(error, _context())

    # then the message says it and no field is listed
    assert response is not None
    assert response.data == {
        "error": {"code": "invalid", "message": "The dates overlap.", "fields": {}}
    }


def test_drf_list_validation_error_becomes_the_message() -> None:
    # given a validation error raised with a list of messages
    error = drf_exceptions.ValidationError(["First problem.", "Second problem."])

    # when the handler renders it
    response = api_exception_handler(error, _context())

    # then the messages are joined
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "error": {"code": "invalid", "message": "First problem. Second problem.", "fields": {}}
    }


def test_parse_error_is_malformed_request() -> None:
    # given a body DRF could not parse
    error = drf_exceptions.ParseError("JSON parse error - Expecting value")

    # when the handler renders it
    response = api_exception_handler(error, _context())

    # then the client gets a readable message, not the parser's internals
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "malformed_request",
            "message": "The request body could not be read: send valid JSON.",
            "fields": {},
        }
    }


def test_django_http404_becomes_not_found() -> None:
    # when the handler renders Django's Http404
    response = api_exception_handler(Http404("no such row"), _context())

    # then it is the API's not_found
    assert response is not None
    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"
    assert response.data["error"]["fields"] == {}


def test_django_permission_denied_becomes_permission_denied() -> None:
    # when the handler renders Django's PermissionDenied
    response = api_exception_handler(DjangoPermissionDenied(), _context())

    # then it is the API's permission_denied
    assert response is not None
    assert response.status_code == 403
    assert response.data == {
        "error": {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
            "fields": {},
        }
    }


def test_authentication_failed_keeps_its_message() -> None:
    # given a request that did not carry an expired session
    request = Request(APIRequestFactory().get("/api/v1/me/"))
    error = drf_exceptions.AuthenticationFailed("This API token is not valid or was revoked.")

    # when the handler renders the failure
    response = api_exception_handler(error, {"request": request, "view": None})

    # then the code says the credentials failed
    assert response is not None
    assert response.status_code == 401
    assert response.data == {
        "error": {
            "code": "authentication_failed",
            "message": "This API token is not valid or was revoked.",
            "fields": {},
        }
    }


def test_throttled_is_rate_limited() -> None:
    # when the handler renders DRF's Throttled
    response = api_exception_handler(drf_exceptions.Throttled(wait=7), _context())

    # then the code is rate_limited and the message says how long to wait
    assert response is not None
    assert response.status_code == 429
    assert response.data["error"]["code"] == "rate_limited"
    assert "7 seconds" in response.data["error"]["message"]


def test_unknown_exception_is_left_to_django() -> None:
    # when the handler sees a programming error
    response = api_exception_handler(ZeroDivisionError(), _context())

    # then it does not hide it as a client error (Django's 500 handler takes over)
    assert response is None


def test_error_payload_shape() -> None:
    assert error_payload("x", "y") == {"error": {"code": "x", "message": "y", "fields": {}}}
