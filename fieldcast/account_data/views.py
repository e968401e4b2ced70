"""The profile page's "Download my data" button, and the same export in the API."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.account_data import services
from fieldcast.accounts.guards import AuthenticatedHttpRequest, require_user
from fieldcast.accounts.models import User


def _filename(user: User) -> str:
    return f"fieldcast-data-{user.pk}.json"


@login_required
@require_POST
def export_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A JSON file of the person's data (POST: a button with CSRF, not a link any site can hit)."""
    user = request.user
    data = services.account_data_export(user=user, ip_address=request.META.get("REMOTE_ADDR"))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(user)}"'
    response["Cache-Control"] = "no-store"
    return response


class AccountDataExportApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="Export my data",
        description="Profile, clips, comments, points history and security events, as JSON.",
    )
    def get(self, request: Request) -> Response:
        user = require_user(request.user)
        data = services.account_data_export(user=user, ip_address=request.META.get("REMOTE_ADDR"))
        response = Response(data)
        response["Content-Disposition"] = f'attachment; filename="{_filename(user)}"'
        response["Cache-Control"] = "no-store"
        return response
