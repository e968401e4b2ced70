"""Who is asking, and may they: the checks every view, API view, consumer and service shares.

A request's `user` is typed as "a user or an anonymous visitor"; services take a `User`. These
guards turn the one into the other, or refuse with the project's error (401 or 403 with a message
written for the person), so no edge copies its own check and no caller needs a type cast.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import Promise

from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotAuthenticated, PermissionDenied

Requester = User | AnonymousUser | AbstractBaseUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page that `login_required` guards: its user is signed in."""

    user: User


def signed_in_user(user: Requester) -> User | None:
    """The signed-in person, or None for an anonymous visitor."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def require_user(user: Requester, *, message: str | Promise | None = None) -> User:
    """The signed-in person; an anonymous visitor is refused with 401 "please log in"."""
    person = signed_in_user(user)
    if person is None:
        raise NotAuthenticated(str(message) if message is not None else None)
    return person


def require_permission(
    user: Requester,
    codename: str,
    *,
    message: str | Promise | None = None,
    code: ErrorCode = ErrorCode.PERMISSION_DENIED,
) -> User:
    """The signed-in person if their role grants `codename` (see `roles.ROLE_PERMISSIONS`)."""
    person = require_user(user)
    if not roles.has_role_permission(person, codename):
        raise PermissionDenied(str(message) if message is not None else None, code=code)
    return person


def has_permission(user: Requester, codename: str) -> bool:
    """Whether a page should offer an action; the service still decides."""
    person = signed_in_user(user)
    return person is not None and roles.has_role_permission(person, codename)
