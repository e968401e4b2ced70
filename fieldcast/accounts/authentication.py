"""`Authorization: Token <key>` for the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from fieldcast.accounts.models import User
from fieldcast.accounts.selectors import api_token_for_key
from fieldcast.accounts.services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: use “Token <key>”.")
            )
        token = api_token_for_key(key=header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API token is not valid or was revoked."))
        api_token_touch(token=token)
        return token.user, token.key_hash

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes `Authorization: Token <key>` in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create a key on your profile page or with "
            "POST /api/v1/auth/token/.",
        }
