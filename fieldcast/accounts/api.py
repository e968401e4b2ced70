"""Accounts API: who am I, and API tokens."""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import has_verified_email
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts import services
from fieldcast.accounts.guards import require_user, signed_in_user
from fieldcast.accounts.models import User
from fieldcast.accounts.selectors import user_capabilities, user_roles
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    public_name = serializers.CharField()
    city = serializers.CharField()
    bio = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    capabilities = serializers.DictField(child=serializers.BooleanField())


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The authenticated user")
    def get(self, request: Request) -> Response:
        user = require_user(request.user)
        data = {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "city": user.city,
            "bio": user.bio,
            "roles": user_roles(user=user),
            "capabilities": user_capabilities(user=user),
        }
        return Response(MeSerializer(data).data)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False)
    password = serializers.CharField(required=False, trim_whitespace=False)


class ApiTokenApi(APIView):
    """Create (or replace) and revoke the caller's API token."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: inline_serializer("ApiTokenCreated", {"token": serializers.CharField()})},
        summary="Issue an API token (replaces the previous one)",
        description="Authenticate with the session, or send `email` and `password`.",
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request.user)
        if user is None:
            body = TokenRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            email = body.validated_data.get("email")
            password = body.validated_data.get("password")
            if not email or not password:
                raise NotAuthenticated(
                    _("Log in, or send your email and password, to get an API token.")
                )
            # Through `authenticate(request=...)`: the login limiter counts this password too.
            user = _password_user(request, email=email, password=password)
            if user is None:
                raise NotAuthenticated(
                    _("The email address and password do not match an active account."),
                    code=ErrorCode.INVALID_CREDENTIALS,
                )
            # The login page refuses an unverified email when verification is mandatory; the
            # password route to a token must not be a way around it.
            if (
                allauth_settings.EMAIL_VERIFICATION
                == allauth_settings.EmailVerificationMethod.MANDATORY
                and not has_verified_email(user)
            ):
                raise PermissionDenied(
                    _("Verify your email address first: follow the link we sent you."),
                    code=ErrorCode.EMAIL_UNVERIFIED,
                )
        key = services.api_token_create(user=user)
        return Response({"token": key}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Revoke the caller's API token")
    def delete(self, request: Request) -> Response:
        services.api_token_revoke(user=require_user(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeletionRequestSerializer(serializers.Serializer):
    password = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class AccountDeletionApi(APIView):
    """Ask for the account's deletion (after a cooling-off period), or cancel it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=DeletionRequestSerializer,
        responses={
            202: inline_serializer(
                "AccountDeletionScheduled", {"due_at": serializers.DateTimeField()}
            )
        },
        summary="Schedule my account's deletion",
        description="Send your password. The account is deleted after "
        "ACCOUNT_DELETION_COOLING_OFF_DAYS days unless you cancel or log in again.",
    )
    def post(self, request: Request) -> Response:
        user = require_user(request.user)
        body = DeletionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        password = body.validated_data.get("password", "")
        if user.has_usable_password() and (
            authenticate(request=request._request, email=user.email, password=password) is None
        ):
            raise ValidationFailed(
                _("The password is not correct."),
                code=ErrorCode.WRONG_PASSWORD,
                fields={"password": [_("The password is not correct.")]},
            )
        services.account_deletion_request(user=user, ip_address=request.META.get("REMOTE_ADDR"))
        return Response({"due_at": user.deletion_due_at}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={204: None}, summary="Cancel my account's deletion")
    def delete(self, request: Request) -> Response:
        user = require_user(request.user)
        if not services.account_deletion_cancel(
            user=user, ip_address=request.META.get("REMOTE_ADDR")
        ):
            raise NotFound(
                _("Your account is not scheduled for deletion."), code=ErrorCode.NOT_SCHEDULED
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _password_user(request: Request, *, email: str, password: str) -> User | None:
    """The active account these credentials open, or None."""
    user = authenticate(request=request._request, email=email.lower(), password=password)
    # The backends answer with the project's user model; anything else opens no account.
    return user if isinstance(user, User) else None
