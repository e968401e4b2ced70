"""Moderation API under /api/v1/moderation/: the queue, decisions, reports, appeals, audit.

Same permissions as the pages: editors for the queue and decisions, staff for audit and stats,
any logged-in person for reports, appeals and their own notices.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.notifications import notify
from fieldcast.accounts.guards import require_user
from fieldcast.core.errors import NotFound, ValidationFailed
from moderation import selectors, services
from moderation.models import AuditEntry, Case, CaseKind, ReportReason, Verification


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    video_id = serializers.IntegerField(allow_null=True)
    video_title = serializers.CharField(allow_null=True)
    video_state = serializers.CharField(allow_null=True)
    reported_user_id = serializers.IntegerField(allow_null=True)
    live_source_id = serializers.IntegerField(allow_null=True)
    live_source_title = serializers.CharField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    comment_body = serializers.CharField(allow_null=True)
    submitted_by_id = serializers.IntegerField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    priority = serializers.FloatField()
    claimed_by = serializers.CharField(allow_null=True)
    claimed_until = serializers.DateTimeField(allow_null=True)
    decision = serializers.CharField()
    verification = serializers.CharField()
    reason_code = serializers.CharField()
    reason_text = serializers.CharField()
    created_at = serializers.DateTimeField()


def case_data(case: Case) -> dict[str, Any]:
    live = selectors.case_claim_is_live(case)
    return {
        "id": case.pk,
        "kind": case.kind,
        "status": case.status,
        "video_id": case.video_id,
        "video_title": case.video.title if case.video is not None else None,
        "video_state": case.video.state if case.video is not None else None,
        "reported_user_id": case.reported_user_id,
        "live_source_id": case.live_source_id,
        "live_source_title": case.live_source.title if case.live_source is not None else None,
        "comment_id": case.comment_id,
        "comment_body": case.comment.body if case.comment is not None else None,
        "submitted_by_id": case.submitted_by_id,
        "flags": list(case.flags),
        "priority": selectors.case_priority_score(case),
        "claimed_by": case.claimed_by.public_name if live and case.claimed_by else None,
        "claimed_until": case.claimed_until if live else None,
        "decision": case.decision,
        "verification": case.verification,
        "reason_code": case.reason_code,
        "reason_text": case.reason_text,
        "created_at": case.created_at,
    }


class QueueApi(APIView):
    permission_classes = [permissions.AllowAny]  # the role check below gives the error shape

    @extend_schema(
        responses=CaseSerializer(many=True),
        summary="Open queue items (editors)",
        parameters=[
            OpenApiParameter("kind", str, enum=CaseKind.values),
            OpenApiParameter("flag", str),
            OpenApiParameter("reporter", int),
            OpenApiParameter("assignment", str, enum=list(selectors.ASSIGNMENT_FILTERS)),
            OpenApiParameter("order", str, enum=list(selectors.QUEUE_ORDERS)),
        ],
    )
    def get(self, request: Request) -> Response:
        editor = services.ensure_editor(request.user)
        services.cases_sync_pending_videos()
        services.cases_sync_live_sources()
        services.cases_sync_held_comments()
        params = request.query_params
        reporter = params.get("reporter")
        cases = selectors.queue_cases(
            editor=editor,
            kind=params.get("kind", ""),
            flag=params.get("flag", ""),
            reporter_id=int(reporter) if reporter and reporter.isdigit() else None,
            assignment=params.get("assignment", ""),
            order=params.get("order", "newest"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response([case_data(case) for case in page or []])


class CaseApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CaseSerializer, summary="One queue item (editors)")
    def get(self, request: Request, case_id: int) -> Response:
        services.ensure_editor(request.user)
        review = selectors.case_for_review(case_id=case_id)
        if review is None:
            raise NotFound(_("We could not find that queue item."))
        data = case_data(review.case)
        if review.history is not None:
            data["uploader"] = {
                "id": review.video.owner_id if review.video else None,
                "approved": review.history.approved,
                "rejected": review.history.rejected,
                "removed": review.history.removed,
                "trusted": review.history.trusted,
                "tier": review.history.tier,
            }
        if review.video is not None:
            data["description"] = review.video.description
            data["capture_metadata"] = review.video.capture_metadata
        if review.checks is not None:
            data["checks"] = {
                "flags": review.checks.flags,
                "term_matches": review.checks.term_matches,
                "technical": review.checks.technical,
                "similar": review.checks.similar,
            }
        data["reports"] = [
            {"reason": report.reason, "text": report.text, "reporter_id": report.reporter_id}
            for report in review.reports
        ]
        data["appeal_note"] = review.appeal_note
        return Response(data)


class ClaimApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses=CaseSerializer, summary="Claim an item for a while")
    def post(self, request: Request, case_id: int) -> Response:
        case = services.case_claim(case_id=case_id, editor=services.ensure_editor(request.user))
        return Response(case_data(case))

    @extend_schema(responses=CaseSerializer, summary="Release your claim")
    def delete(self, request: Request, case_id: int) -> Response:
        case = services.case_release(case_id=case_id, editor=services.ensure_editor(request.user))
        return Response(case_data(case))


class DecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()
    reason_code = serializers.CharField(required=False, allow_blank=True, default="")
    reason_text = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    verification = serializers.ChoiceField(
        choices=Verification.choices, required=False, allow_blank=True, default=""
    )
    title = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class DecisionApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=DecisionSerializer, responses=CaseSerializer, summary="Decide an item")
    def post(self, request: Request, case_id: int) -> Response:
        editor = services.ensure_editor(request.user)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = services.case_decide(
            case_id=case_id,
            editor=editor,
            decision=data["decision"],
            reason_code=data["reason_code"],
            reason_text=data["reason_text"],
            verification=data["verification"],
            title=data.get("title"),
            description=data.get("description"),
        )
        return Response(case_data(case))


class BulkSerializer(serializers.Serializer):
    cases = serializers.ListField(child=serializers.IntegerField(), max_length=200)
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason_code = serializers.CharField(required=False, allow_blank=True, default="")
    reason_text = serializers.CharField(required=False, allow_blank=True, default="")
    verification = serializers.ChoiceField(
        choices=Verification.choices, required=False, allow_blank=True, default=""
    )


class BulkApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=BulkSerializer,
        responses=OpenApiTypes.OBJECT,
        summary="Approve or reject several video items",
    )
    def post(self, request: Request) -> Response:
        editor = services.ensure_editor(request.user)
        body = BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        outcomes = services.cases_bulk_decide(
            case_ids=data["cases"],
            editor=editor,
            decision=data["decision"],
            reason_code=data["reason_code"],
            reason_text=data["reason_text"],
            verification=data["verification"],
        )
        return Response(
            {
                "results": [
                    {"case": o.case_id, "ok": o.ok, "code": o.code, "message": o.message}
                    for o in outcomes
                ]
            }
        )


class ReportSerializer(serializers.Serializer):
    video = serializers.IntegerField(required=False)
    user = serializers.IntegerField(required=False)
    comment = serializers.IntegerField(required=False)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class ReportApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=ReportSerializer,
        responses=OpenApiTypes.OBJECT,
        summary="Report a video, a comment or a person",
    )
    def post(self, request: Request) -> Response:
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = services.report_create(
            reporter=request.user,
            reason=data["reason"],
            text=data["text"],
            video_id=data.get("video"),
            user_id=data.get("user"),
            comment_id=data.get("comment"),
        )
        return Response({"id": report.pk, "case": report.case_id}, status=status.HTTP_201_CREATED)


class AppealSerializer(serializers.Serializer):
    video = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True, trim_whitespace=False)


class AppealApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=AppealSerializer,
        responses=OpenApiTypes.OBJECT,
        summary="Appeal a rejection or removal (once)",
    )
    def post(self, request: Request) -> Response:
        body = AppealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appeal = services.appeal_create(
            user=request.user,
            video_id=body.validated_data["video"],
            note=body.validated_data["note"],
        )
        return Response({"id": appeal.pk, "case": appeal.case_id}, status=status.HTTP_201_CREATED)


class NoticesApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Your moderation notices")
    def get(self, request: Request) -> Response:
        user = require_user(request.user)
        notices = list(notify.moderation_notices(user=user)[:100])
        return Response(
            {
                "results": [
                    {
                        "id": n.pk,
                        "kind": n.kind,
                        "message": notify.notification_text(n),
                        "video_id": n.video_id,
                        "created_at": n.created_at,
                        "read": n.read_at is not None,
                    }
                    for n in notices
                ]
            }
        )


def _audit_data(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "case_id": entry.case_id,
        "video_id": entry.video_id,
        "subject_user_id": entry.subject_user_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
    }


class AuditApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="The audit log (staff)",
        parameters=[
            OpenApiParameter("action", str),
            OpenApiParameter("actor", int),
            OpenApiParameter("video", int),
            OpenApiParameter("case", int),
        ],
    )
    def get(self, request: Request) -> Response:
        services.ensure_staff(request.user)
        params = request.query_params

        def number(name: str) -> int | None:
            value = params.get(name)
            if not value:
                return None
            if not str(value).isdigit():
                raise ValidationFailed(fields={name: [_("Send a number.")]})
            return int(value)

        entries = selectors.audit_entries(
            action=params.get("action", ""),
            actor_id=number("actor"),
            video_id=number("video"),
            case_id=number("case"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response([_audit_data(e) for e in page or []])


class StatsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Moderation statistics (staff)")
    def get(self, request: Request) -> Response:
        services.ensure_staff(request.user)
        data = selectors.moderation_stats()
        data["generated_at"] = timezone.now()
        return Response(data)


class ReasonsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="The reasons to choose from when rejecting and reporting",
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "reject": [
                    {"code": c, "label": label} for c, label in services.reject_reasons().items()
                ],
                "report": [{"code": c, "label": str(label)} for c, label in ReportReason.choices],
                "verification": [
                    {"code": c, "label": str(label)} for c, label in Verification.choices
                ],
            }
        )


class TrustedSerializer(serializers.Serializer):
    trusted = serializers.BooleanField()


class TrustedReporterApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TrustedSerializer,
        responses=OpenApiTypes.OBJECT,
        summary="Mark a reporter as trusted or not (staff)",
    )
    def put(self, request: Request, user_id: int) -> Response:
        body = TrustedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        staff = require_user(request.user)
        trusted = services.trusted_reporter_set(
            user_id=user_id, trusted=body.validated_data["trusted"], staff=staff
        )
        return Response({"user": user_id, "trusted": trusted})
