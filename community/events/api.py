"""Events API under /api/v1/community/events/ and guest experts under .../guest-experts/.

Same rules as the pages: every write goes through `community.events.services`; refusals leave in
the one error shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.events import selectors as event_selectors
from community.events import services as event_services
from community.models import Event, EventKind, EventRegistration
from fieldcast.accounts.guards import has_permission
from fieldcast.core.errors import NotFound, PermissionDenied


class EventInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=10_000)
    description = serializers.CharField(allow_blank=True, max_length=100_000)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    place = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)
    link = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)


class AttendanceInputSerializer(serializers.Serializer):
    attendees = serializers.ListField(child=serializers.IntegerField(), max_length=10_000)


class ExpertInputSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)


def event_data(event: Event, *, show_link: bool) -> dict[str, Any]:
    return {
        "id": event.pk,
        "title": event.title,
        "description": event.description,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        # The join link of an online event is for people with a place (and staff).
        "link": event.link if show_link else "",
        "capacity": event.capacity,
        "confirmed": getattr(event, "confirmed", None),
        "waiting": getattr(event, "waiting", None),
    }


def registration_data(registration: EventRegistration | None, position: int) -> dict[str, Any]:
    if registration is None:
        return {"state": None, "waiting_position": 0, "attended": False}
    return {
        "state": registration.state,
        "waiting_position": position,
        "attended": registration.attended_at is not None,
    }


class EventsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: None},
        summary="Upcoming events, soonest first",
        operation_id="community_events_list",
    )
    def get(self, request: Request) -> Response:
        items = event_selectors.events_upcoming()[:100]
        return Response({"results": [event_data(e, show_link=False) for e in items]})

    @extend_schema(
        request=EventInputSerializer, responses={201: None}, summary="Create an event (staff)"
    )
    def post(self, request: Request) -> Response:
        data = EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = event_services.event_create(user=request.user, **data.validated_data)
        return Response(event_data(event, show_link=True), status=status.HTTP_201_CREATED)


class EventApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="One event, with my sign-up")
    def get(self, request: Request, event_id: int) -> Response:
        page = event_selectors.event_page(event_id=event_id, user=request.user)
        if page is None:
            raise NotFound(_("We could not find that event."))
        has_place = page.registration is not None and page.registration.state == "confirmed"
        show_link = has_place or has_permission(request.user, "moderate_content")
        data = event_data(page.event, show_link=show_link)
        data["me"] = registration_data(page.registration, page.position)
        return Response(data)


class EventSignUpApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=None,
        responses={201: None},
        summary="Sign up (a full event puts you on the waiting list: state 'waiting')",
    )
    def post(self, request: Request, event_id: int) -> Response:
        result = event_services.event_sign_up(user=request.user, event_id=event_id)
        data = registration_data(result.registration, result.waiting_position)
        data["message"] = event_services.sign_up_message(result)
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Cancel my place or leave the waiting list")
    def delete(self, request: Request, event_id: int) -> Response:
        event_services.event_cancel_sign_up(user=request.user, event_id=event_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventAttendanceApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="The attendance sheet (staff)")
    def get(self, request: Request, event_id: int) -> Response:
        if not has_permission(request.user, "moderate_content"):
            raise PermissionDenied(_("Only newsroom staff can mark attendance."))
        sheet = event_selectors.event_attendance_sheet(event_id=event_id)
        return Response(
            {
                "results": [
                    {
                        "user_id": row.user_id,
                        "name": row.user.public_name,
                        "attended": row.attended_at is not None,
                    }
                    for row in sheet
                ]
            }
        )

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={200: None},
        summary="Mark people as attended (staff); pays event_attended points once each",
    )
    def post(self, request: Request, event_id: int) -> Response:
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = event_services.event_attendance_mark(
            user=request.user, event_id=event_id, attendee_ids=data.validated_data["attendees"]
        )
        return Response({"marked": [row.user_id for row in marked]})


class GuestExpertsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=ExpertInputSerializer,
        responses={201: None},
        summary="Give the guest expert badge (staff)",
    )
    def post(self, request: Request) -> Response:
        data = ExpertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        badge = event_services.guest_expert_grant(
            user=request.user,
            expert_id=data.validated_data["user"],
            title=data.validated_data["title"],
        )
        return Response(
            {"user_id": badge.user_id, "title": badge.title}, status=status.HTTP_201_CREATED
        )


class GuestExpertApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: None}, summary="Whether a person is a guest expert")
    def get(self, request: Request, user_id: int) -> Response:
        experts = event_selectors.guest_expert_ids([user_id])
        return Response({"user_id": user_id, "guest_expert": user_id in experts})

    @extend_schema(responses={204: None}, summary="Take back the guest expert badge (staff)")
    def delete(self, request: Request, user_id: int) -> Response:
        event_services.guest_expert_revoke(user=request.user, expert_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
