"""The guards every edge shares: who is signed in, and whether their role allows an action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fieldcast.accounts import guards
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotAuthenticated, PermissionDenied
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_require_user_returns_the_signed_in_person() -> None:
    # given a reporter
    reporter = UserFactory(roles=["reporter"])

    # when / then
    assert guards.require_user(reporter) is reporter
    assert guards.signed_in_user(reporter) is reporter


def test_require_user_refuses_an_anonymous_visitor_with_401_and_the_message() -> None:
    # given an anonymous visitor
    visitor = AnonymousUser()

    # when
    with pytest.raises(NotAuthenticated) as refusal:
        guards.require_user(visitor, message="Log in to comment.")

    # then
    assert refusal.value.status_code == 401
    assert refusal.value.code == ErrorCode.NOT_AUTHENTICATED
    assert refusal.value.message == "Log in to comment."
    assert guards.signed_in_user(visitor) is None


def test_require_permission_lets_an_editor_moderate() -> None:
    editor = UserFactory(roles=["reporter", "editor"])

    assert guards.require_permission(editor, "moderate_content") is editor
    assert guards.has_permission(editor, "moderate_content") is True


def test_require_permission_refuses_a_reporter_with_the_given_code_and_message() -> None:
    # given a reporter without the editor role
    reporter = UserFactory(roles=["reporter"])

    # when
    with pytest.raises(PermissionDenied) as refusal:
        guards.require_permission(
            reporter, "moderate_content", message="Only editors.", code=ErrorCode.NOT_EDITOR
        )

    # then
    assert refusal.value.status_code == 403
    assert refusal.value.code == "not_editor"
    assert refusal.value.message == "Only editors."
    assert guards.has_permission(reporter, "moderate_content") is False


def test_require_permission_asks_an_anonymous_visitor_to_log_in_first() -> None:
    with pytest.raises(NotAuthenticated):
        guards.require_permission(AnonymousUser(), "moderate_content")
    assert guards.has_permission(AnonymousUser(), "moderate_content") is False


def test_error_codes_are_the_strings_clients_see() -> None:
    # a member compares and serialises as its string: the API's contract does not change
    assert ErrorCode.NOT_EDITOR == "not_editor"
    assert f"{ErrorCode.MALFORMED_SDP}" == "malformed_sdp"
    assert len({code.value for code in ErrorCode}) == len(ErrorCode)
