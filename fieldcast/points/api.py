"""Points API under /api/v1/points/: boards, my points, ratings, staff adjustments and promotions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts.models import User
from fieldcast.core.errors import ValidationFailed
from fieldcast.points import selectors, services
from fieldcast.points.models import PointEvent, PromotionRecord


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    points = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    board = serializers.CharField()
    city = serializers.CharField()
    page = serializers.IntegerField()
    results = BoardRowSerializer(many=True)


class LeaderboardApi(APIView):
    """A public board: week, month or all; optionally one city. Hidden users never appear."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=BoardSerializer,
        summary="A public leaderboard",
        parameters=[
            OpenApiParameter("city", str, required=False),
            OpenApiParameter("page", int, required=False),
        ],
    )
    def get(self, request: Request, board: str) -> Response:
        city = str(request.query_params.get("city", ""))[:80]
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError as exc:
            raise ValidationFailed(fields={"page": [_("A page is a whole number.")]}) from exc
        rows = selectors.leaderboard(board=board, city=city, page=page)
        data = {"board": board, "city": city, "page": page, "results": [r.__dict__ for r in rows]}
        return Response(BoardSerializer(data).data)


class AssignmentBoardApi(APIView):
    """The board of one assignment: points earned by deeds that answered it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=BoardSerializer,
        summary="An assignment's leaderboard",
        parameters=[OpenApiParameter("page", int, required=False)],
    )
    def get(self, request: Request, assignment_ref: str) -> Response:
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError as exc:
            raise ValidationFailed(fields={"page": [_("A page is a whole number.")]}) from exc
        rows = selectors.assignment_leaderboard(assignment_ref=assignment_ref, page=page)
        data = {
            "board": f"assignment:{assignment_ref}",
            "city": "",
            "page": page,
            "results": [r.__dict__ for r in rows],
        }
        return Response(BoardSerializer(data).data)


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointEvent
        fields = ["id", "rule", "points", "key", "obj_ref", "object_id", "reason", "created_at"]


class SummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    level = serializers.IntegerField()
    next_level = serializers.IntegerField(allow_null=True)
    next_level_gap = serializers.IntegerField(allow_null=True)
    tier = serializers.CharField()
    tier_label = serializers.CharField()
    next_tier_label = serializers.CharField(allow_null=True)
    next_tier_missing = serializers.ListField(child=serializers.CharField())
    nudge = serializers.CharField(allow_null=True)
    hidden = serializers.BooleanField()
    network_reporter = serializers.BooleanField()
    events = EventSerializer(many=True)


class VisibilitySerializer(serializers.Serializer):
    hide_from_boards = serializers.BooleanField()


class MyPointsApi(APIView):
    """My total, level, tier, nudge and latest ledger events; PATCH to hide from boards."""

    permission_classes = [permissions.IsAuthenticated]

    def _summary(self, user: User) -> dict:
        summary = selectors.points_summary(user=user)
        data = {key: value for key, value in summary.__dict__.items() if key != "last_tier_change"}
        data["events"] = selectors.point_events_for_user(user=user)
        return SummarySerializer(data).data

    @extend_schema(responses=SummarySerializer, summary="My points")
    def get(self, request: Request) -> Response:
        return Response(self._summary(request.user))  # type: ignore[arg-type]

    @extend_schema(request=VisibilitySerializer, responses=SummarySerializer)
    def patch(self, request: Request) -> Response:
        body = VisibilitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.points_board_visibility_set(
            user=request.user,  # type: ignore[arg-type]
            hidden=body.validated_data["hide_from_boards"],
        )
        return Response(self._summary(request.user))  # type: ignore[arg-type]


class RatingRequestSerializer(serializers.Serializer):
    reporter = serializers.IntegerField()
    # Raw: the service says clearly what is wrong with "4.5" or "five".
    stars = serializers.JSONField()


class RatingSerializer(serializers.Serializer):
    reporter = serializers.IntegerField(source="reporter_id")
    month = serializers.DateField()
    stars = serializers.IntegerField()


class RatingApi(APIView):
    """Rate a reporter 1-5 for this month (once per reporter per month, never yourself)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RatingRequestSerializer, responses={201: RatingSerializer})
    def post(self, request: Request) -> Response:
        body = RatingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reporter = get_object_or_404(User, pk=body.validated_data["reporter"], is_active=True)
        rating = services.rating_submit(
            rater=request.user,  # type: ignore[arg-type]
            reporter=reporter,
            stars=body.validated_data["stars"],
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class AdjustmentRequestSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    # Raw on purpose: 2.5 or "ten" must be refused, not rounded.
    points = serializers.JSONField()
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    key = serializers.CharField(required=False, max_length=200)


class AdjustmentApi(APIView):
    """Staff: add or remove points by hand, with a reason (an Idempotency key is optional)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=AdjustmentRequestSerializer, responses={201: EventSerializer})
    def post(self, request: Request) -> Response:
        body = AdjustmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = get_object_or_404(User, pk=body.validated_data["user"])
        event = services.points_adjust(
            user=user,
            points=body.validated_data["points"],
            reason=body.validated_data["reason"],
            staff=request.user,  # type: ignore[arg-type]
            key=body.validated_data.get("key"),
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class PromotionRequestSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["promote", "demote"])
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class PromotionSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.public_name")

    class Meta:
        model = PromotionRecord
        fields = ["id", "user", "action", "role", "by", "by_name", "reason", "created_at"]


class PromotionApi(APIView):
    """Staff: promote a star reporter to network reporter, or demote; the record is kept."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=PromotionRequestSerializer, responses={201: PromotionSerializer})
    def post(self, request: Request) -> Response:
        body = PromotionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = get_object_or_404(User, pk=body.validated_data["user"])
        service = (
            services.reporter_promote
            if body.validated_data["action"] == "promote"
            else services.reporter_demote
        )
        record = service(
            user=user,
            staff=request.user,  # type: ignore[arg-type]
            reason=body.validated_data["reason"],
        )
        return Response(PromotionSerializer(record).data, status=status.HTTP_201_CREATED)
