"""Reads for live ingest."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound
from ingest.models import FINISHED_STATES, LiveSource, StreamKey
from ingest.services import hash_stream_key


def stream_keys_for_user(*, user: User) -> QuerySet[StreamKey]:
    """A reporter's keys, active first, newest first."""
    return StreamKey.objects.filter(user=user).order_by("revoked_at", "-created_at")


def sources_running() -> QuerySet[LiveSource]:
    """Sources not yet finished, for the editors' sources page (oldest first: a stable grid)."""
    return (
        LiveSource.objects.exclude(state__in=FINISHED_STATES)
        .select_related("reporter")
        .order_by("created_at")
    )


def sources_recent(*, limit: int = 20) -> list[LiveSource]:
    return list(
        LiveSource.objects.filter(state__in=FINISHED_STATES)
        .select_related("reporter")
        .order_by("-ended_at")[:limit]
    )


def source_for_reporter(*, source_key: str, user: User) -> LiveSource:
    """A reporter's own source; the same NotFound whether missing or someone else's."""
    source = (
        LiveSource.objects.select_related("reporter").filter(key=source_key, reporter=user).first()
    )
    if source is None:
        raise NotFound(_not_found_message(), code=ErrorCode.SOURCE_NOT_FOUND)
    return source


def source_by_key(*, source_key: str) -> LiveSource:
    source = LiveSource.objects.select_related("reporter").filter(key=source_key).first()
    if source is None:
        raise NotFound(_not_found_message(), code=ErrorCode.SOURCE_NOT_FOUND)
    return source


def _not_found_message() -> str:
    return gettext("We could not find that live source.")


def stream_key_for_secret(*, secret: str) -> StreamKey | None:
    """The key a publisher presents, revoked or not (the caller tells 401 from 403)."""
    return (
        StreamKey.objects.select_related("user")
        .filter(key_hash=hash_stream_key(secret or ""))
        .first()
    )


def source_state(*, source_id: int) -> str:
    return str(
        LiveSource.objects.filter(pk=source_id).values_list("state", flat=True).first() or ""
    )
