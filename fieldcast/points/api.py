"""Points API under /api/v1/points/: boards, my points, ratings, staff adjustments and promotions,
the staff dashboard's figures and a person's participation."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldcast.accounts.guards import require_permission, require_user
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
        return Response(self._summary(require_user(request.user)))

    @extend_schema(request=VisibilitySerializer, responses=SummarySerializer)
    def patch(self, request: Request) -> Response:
        user = require_user(request.user)
        body = VisibilitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.points_board_visibility_set(
            user=user, hidden=body.validated_data["hide_from_boards"]
        )
        return Response(self._summary(user))


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
        rater = require_user(request.user)
        body = RatingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reporter = get_object_or_404(User, pk=body.validated_data["reporter"], is_active=True)
        rating = services.rating_submit(
            rater=rater,
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
        staff = require_user(request.user)
        body = AdjustmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = get_object_or_404(User, pk=body.validated_data["user"])
        event = services.points_adjust(
            user=user,
            points=body.validated_data["points"],
            reason=body.validated_data["reason"],
            staff=staff,
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
        staff = require_user(request.user)
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
            staff=staff,
            reason=body.validated_data["reason"],
        )
        return Response(PromotionSerializer(record).data, status=status.HTTP_201_CREATED)


DASHBOARD_REFUSAL = gettext_lazy("Only staff can see the dashboard.")


class SeriesPointSerializer(serializers.Serializer):
    start = serializers.DateField()
    value = serializers.IntegerField()


class WeekClipsSerializer(serializers.Serializer):
    week = serializers.DateField()
    uploads = serializers.IntegerField()
    approvals = serializers.IntegerField()


class CountSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(help_text="In the reader's language.")
    count = serializers.IntegerField()


class LevelCountSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    users = serializers.IntegerField()


class DashboardResponseSerializer(serializers.Serializer):
    active_reporters_by_week = SeriesPointSerializer(many=True)
    uploads_and_approvals_by_week = WeekClipsSerializer(many=True)
    users_per_level = LevelCountSerializer(many=True)
    tier_funnel = CountSerializer(many=True)
    daily_active_users = SeriesPointSerializer(many=True)
    activity_by_kind = CountSerializer(many=True)
    segments = CountSerializer(many=True)


class DashboardApi(APIView):
    """Staff: the dashboard's figures (the same the page draws), segments with counts."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DashboardResponseSerializer, summary="Engagement dashboard")
    def get(self, request: Request) -> Response:
        require_permission(request.user, "view_dashboards", message=DASHBOARD_REFUSAL)

        def counts(rows: list[tuple[str, str, int]]) -> list[dict[str, object]]:
            return [{"code": c, "title": title, "count": n} for c, title, n in rows]

        data = {
            "active_reporters_by_week": [
                {"start": start, "value": n} for start, n in selectors.active_reporters_by_week()
            ],
            "uploads_and_approvals_by_week": [
                {"week": week, "uploads": up, "approvals": ok}
                for week, up, ok in selectors.uploads_and_approvals_by_week()
            ],
            "users_per_level": [
                {"level": level, "users": n} for level, n in selectors.points_distribution()
            ],
            "tier_funnel": counts(selectors.tier_funnel()),
            "daily_active_users": [
                {"start": day, "value": n} for day, n in selectors.daily_active_users()
            ],
            "activity_by_kind": counts(selectors.activity_by_kind()),
            "segments": counts(selectors.user_segments()),
        }
        return Response(DashboardResponseSerializer(data).data)


class ParticipationSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    uploads = serializers.IntegerField()
    approved = serializers.IntegerField()
    originals = serializers.IntegerField()
    comments = serializers.IntegerField()
    lives = serializers.IntegerField()
    last_active = serializers.DateField(allow_null=True)
    score = serializers.IntegerField()


class ParticipationApi(APIView):
    """Staff: one person's participation (uploads, approved, originals, comments, lives)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ParticipationSerializer, summary="A person's participation")
    def get(self, request: Request, user_id: int) -> Response:
        require_permission(request.user, "view_dashboards", message=DASHBOARD_REFUSAL)
        user = get_object_or_404(User, pk=user_id)
        figures = selectors.participation(user=user)
        data = {**figures.__dict__, "user": user.pk, "score": figures.score}
        return Response(ParticipationSerializer(data).data)
