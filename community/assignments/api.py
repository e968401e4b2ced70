"""Assignments API under /api/v1/community/assignments/: editors' calls and reporters' acceptances."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.assignments import selectors, services
from community.models import (
    Assignment,
    Urgency,
)
from fieldcast.accounts.guards import require_user
from fieldcast.core.errors import NotFound


class AssignmentInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=10_000)
    brief = serializers.CharField(allow_blank=True, max_length=100_000)
    city = serializers.CharField(allow_blank=True, max_length=10_000)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    points_bonus = serializers.IntegerField(default=0)
    story_id = serializers.IntegerField(required=False, allow_null=True, default=None)


def assignment_data(item: Assignment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "ref": item.ref,
        "title": item.title,
        "brief": item.brief,
        "city": item.city,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "urgency": item.urgency,
        "points_bonus": item.points_bonus,
        "state": item.state,
        "story_id": item.story_id,
        "contributions": getattr(item, "contributions", None),
        "created_at": item.created_at,
    }


class AssignmentsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: None},
        summary="Open assignments: the city given (or yours) first, then by urgency",
        operation_id="community_assignments_list",
        parameters=[OpenApiParameter("city", str, required=False)],
    )
    def get(self, request: Request) -> Response:
        city = str(request.query_params.get("city", ""))[:80]
        if not city and request.user.is_authenticated:
            city = request.user.city
        items = selectors.assignments_open(city=city)[:100]
        return Response({"results": [assignment_data(item) for item in items]})

    @extend_schema(
        request=AssignmentInputSerializer,
        responses={201: None},
        summary="Publish an assignment (editors)",
    )
    def post(self, request: Request) -> Response:
        data = AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.assignment_publish(user=request.user, **data.validated_data)
        return Response(assignment_data(item), status=status.HTTP_201_CREATED)


class AssignmentApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="One assignment and its contributions")
    def get(self, request: Request, assignment_id: int) -> Response:
        page = selectors.assignment_page(assignment_id=assignment_id, user=request.user)
        if page is None:
            raise NotFound(_("We could not find that assignment."))
        data = assignment_data(page.assignment)
        data["accepted"] = page.accepted
        data["acceptances"] = page.acceptances
        data["contributions"] = [
            {
                "video_id": video.pk,
                "title": video.title,
                "reporter_id": video.owner_id,
                "used": video.pk in page.used_ids,
            }
            for video in page.contributions
        ]
        return Response(data)


class AssignmentCloseApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={200: None}, summary="Close an assignment (editors)")
    def post(self, request: Request, assignment_id: int) -> Response:
        item = services.assignment_close(user=request.user, assignment_id=assignment_id)
        return Response(assignment_data(item))


class AssignmentUseApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=None, responses={201: None}, summary="Mark a contribution used (editors)"
    )
    def post(self, request: Request, assignment_id: int, video_id: int) -> Response:
        services.assignment_mark_used(
            user=request.user, assignment_id=assignment_id, video_id=video_id
        )
        return Response({"used": True}, status=status.HTTP_201_CREATED)


class AssignmentAcceptApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Accept an open assignment")
    def post(self, request: Request, assignment_id: int) -> Response:
        services.assignment_accept(user=request.user, assignment_id=assignment_id)
        return Response({"accepted": True}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Take an assignment off my list")
    def delete(self, request: Request, assignment_id: int) -> Response:
        services.assignment_withdraw(user=request.user, assignment_id=assignment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssignmentsMineApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: None}, summary="The assignments I accepted, open ones first")
    def get(self, request: Request) -> Response:
        items = selectors.assignments_accepted(user=require_user(request.user))[:100]
        results = []
        for item in items:
            row = assignment_data(item)
            row["mine"] = item.mine
            results.append(row)
        return Response({"results": results})
