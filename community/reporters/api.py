"""Reporters API under /api/v1/community/: following them and their profiles (the same reads as
the pages: only published videos, except a reporter reading their own profile).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.reporters import selectors, services
from community.serializers import page_param, videos_data
from fieldcast.core.errors import NotFound
from fieldcast.videos.api import VideoSerializer


class FollowApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={201: None}, summary="Follow a reporter")
    def post(self, request: Request, reporter_id: int) -> Response:
        services.follow_create(user=request.user, reporter_id=reporter_id)
        return Response(
            {"followers": selectors.follower_count(reporter_id=reporter_id)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={204: None}, summary="Stop following a reporter")
    def delete(self, request: Request, reporter_id: int) -> Response:
        services.follow_delete(user=request.user, reporter_id=reporter_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContributionSerializer(serializers.Serializer):
    story_id = serializers.IntegerField()
    title = serializers.CharField()
    videos = serializers.IntegerField()


class ReporterProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    bio = serializers.CharField()
    tier = serializers.CharField()
    tier_label = serializers.CharField()
    network_reporter = serializers.BooleanField()
    followers = serializers.IntegerField()
    following = serializers.BooleanField()
    published_count = serializers.IntegerField()
    contributions = ContributionSerializer(many=True)
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    videos = VideoSerializer(many=True)


class ReporterApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=ReporterProfileSerializer,
        summary="A reporter's profile and one page of their published work",
        parameters=[OpenApiParameter("page", int, required=False)],
    )
    def get(self, request: Request, reporter_id: int) -> Response:
        reporter = selectors.reporter_for_profile(reporter_id=reporter_id)
        if reporter is None:
            raise NotFound(_("We could not find that reporter."))
        profile = selectors.reporter_profile(
            reporter=reporter,
            user=request.user,
            page=page_param(request),
        )
        return Response(
            {
                "id": reporter.pk,
                "name": reporter.public_name,
                "city": reporter.city,
                "bio": reporter.bio,
                "tier": profile.tier,
                "tier_label": profile.tier_label,
                "network_reporter": profile.network_reporter,
                "followers": profile.followers,
                "following": profile.following,
                "published_count": profile.published_count,
                "contributions": [
                    {"story_id": item.story_id, "title": item.title, "videos": item.videos}
                    for item in profile.contributions
                ],
                "page": profile.page,
                "has_next": profile.has_next,
                "videos": videos_data(request, profile.videos),
            }
        )
