"""tus uploads: limits, creation, the writer's lease, completion (which enqueues the transcode),
termination and expiry."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from fieldcast.core.sizes import sizes_text
from fieldcast.videos import tasks, upload_storage
from fieldcast.videos.models import Upload, UploadState, Video, VideoState
from fieldcast.videos.services.transitions import (
    _check_transition,
    _locked_video,
    _publish_state_on_commit,
)


class UploadTooLarge(ApplicationError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_code = ErrorCode.TOO_LARGE


class UploadGone(ApplicationError):
    status_code = HTTPStatus.GONE
    default_code = ErrorCode.UPLOAD_EXPIRED


class UploadBusy(ApplicationError):
    status_code = HTTPStatus.LOCKED
    default_code = ErrorCode.UPLOAD_BUSY


class UploadLeaseLost(Conflict):
    default_code = ErrorCode.UPLOAD_BUSY


class ChecksumMismatch(ApplicationError):
    status_code = 460  # tus checksum extension, not in HTTPStatus
    default_code = ErrorCode.CHECKSUM_MISMATCH


_SAFE_EXTENSION = re.compile(r"^\.[a-z0-9]{1,5}$")
MAX_TITLE = 200


def _expiry() -> Any:
    return timezone.now() + timedelta(seconds=settings.UPLOAD_EXPIRES_SECONDS)


def _source_key(video_key: uuid.UUID, filename: str) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    return f"sources/{video_key}/original{suffix if _SAFE_EXTENSION.match(suffix) else ''}"


def _check_upload_limits(*, user: User, length: int) -> None:
    if length <= 0:
        raise ValidationFailed(
            _("This file is empty (0 bytes). Choose a video that has something in it."),
            code=ErrorCode.EMPTY_FILE,
        )
    if length > settings.UPLOAD_MAX_BYTES:
        size_text, limit_text = sizes_text(length, settings.UPLOAD_MAX_BYTES)
        raise UploadTooLarge(
            _("This file is %(size)s; the largest file you can upload is %(limit)s.")
            % {"size": size_text, "limit": limit_text}
        )
    now = timezone.now()
    running = Upload.objects.filter(
        owner=user, state=UploadState.ACTIVE, expires_at__gt=now
    ).count()
    if running >= settings.UPLOAD_MAX_CONCURRENT:
        raise RateLimited(
            _(
                "You already have %(count)d uploads in progress. Let one finish or cancel it, "
                "then try again."
            )
            % {"count": running},
            code=ErrorCode.TOO_MANY_UPLOADS,
        )
    used = (
        Upload.objects.filter(
            owner=user,
            created_at__gte=now - timedelta(days=1),
            state__in=[UploadState.ACTIVE, UploadState.COMPLETE],
        ).aggregate(total=Sum("length"))["total"]
        or 0
    )
    if used + length > settings.UPLOAD_DAILY_BYTES:
        limit_text, left_text, size_text = sizes_text(
            settings.UPLOAD_DAILY_BYTES, max(0, settings.UPLOAD_DAILY_BYTES - used), length
        )
        raise RateLimited(
            _(
                "You can upload %(limit)s in 24 hours and have %(left)s left; this file is "
                "%(size)s. Try again later or send a shorter clip."
            )
            % {"limit": limit_text, "left": left_text, "size": size_text},
            code=ErrorCode.DAILY_LIMIT,
        )


def upload_create(*, user: User, length: int, metadata: dict[str, str]) -> Upload:
    """A reporter starts a tus upload: checks the limits, creates the Video (uploading) and
    prepares storage. `metadata` is the decoded Upload-Metadata."""
    require_permission(user, "upload_video", message=_("Only reporters can upload videos."))
    filename = (metadata.get("filename") or "").strip()[:255]
    title = (metadata.get("title") or "").strip() or PurePosixPath(filename).stem.strip()
    if not title:
        raise ValidationFailed(
            _("Give your video a title."), fields={"title": [_("This field is required.")]}
        )
    if len(title) > MAX_TITLE:
        raise ValidationFailed(
            _("The title can be at most %(max)d characters.") % {"max": MAX_TITLE},
            fields={"title": [_("Too long.")]},
        )
    description = (metadata.get("description") or "").strip()
    if len(description) > 5000:
        raise ValidationFailed(
            _("The description can be at most 5000 characters."),
            fields={"description": [_("Too long.")]},
        )
    assignment = (metadata.get("assignment") or "").strip()
    if len(assignment) > 64:
        raise ValidationFailed(
            _("That assignment does not exist."), fields={"assignment": [_("Unknown.")]}
        )
    with transaction.atomic():
        # One at a time per person, so two parallel requests cannot both pass the limits.
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_upload_limits(user=user, length=length)
    video_key = uuid.uuid4()
    source_key = _source_key(video_key, filename)
    target = upload_storage.upload_storage_start(source_key=source_key)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_upload_limits(user=user, length=length)
        video = Video.objects.create(
            key=video_key,
            owner=user,
            title=title,
            description=description,
            assignment_ref=assignment,
            source_name=filename,
            source_size=length,
            state=VideoState.UPLOADING,
        )
        return Upload.objects.create(
            owner=user,
            video=video,
            length=length,
            metadata=metadata,
            filename=filename,
            source_key=source_key,
            expires_at=_expiry(),
            **target,
        )


def _writable_upload(upload_id: uuid.UUID | str, user: User) -> Upload:
    """The caller's own upload, locked; the same 404 for a missing or someone else's."""
    upload = Upload.objects.select_for_update().filter(pk=upload_id).first()
    if upload is None or upload.owner_id != user.pk or upload.state == UploadState.TERMINATED:
        raise NotFound(_("There is no such upload. Start the upload again."))
    if upload.state == UploadState.EXPIRED or (
        upload.state == UploadState.ACTIVE and upload.expires_at <= timezone.now()
    ):
        raise UploadGone(_("This upload expired before it finished. Start the upload again."))
    return upload


def upload_for_owner(*, upload_id: uuid.UUID | str, user: User) -> Upload:
    """Read an upload for HEAD (same refusals as a write)."""
    with transaction.atomic():
        return _writable_upload(upload_id, user)


@transaction.atomic
def upload_acquire(*, upload_id: uuid.UUID | str, user: User, offset: int) -> tuple[Upload, str]:
    """Become the one writer of an upload at `offset`; returns the upload and a lease token.

    Raises Conflict (409) when `offset` is not where the upload stands, UploadBusy (423) while
    another writer holds a live lease."""
    upload = _writable_upload(upload_id, user)
    if upload.state == UploadState.COMPLETE or offset != upload.offset:
        raise Conflict(
            _("The upload is at byte %(offset)d, not %(sent)d. Resume from there.")
            % {"offset": upload.offset, "sent": offset},
            code=ErrorCode.WRONG_OFFSET,
        )
    now = timezone.now()
    if (
        upload.writer_token
        and upload.writer_seen_at is not None
        and upload.writer_seen_at > now - timedelta(seconds=settings.UPLOAD_LEASE_SECONDS)
    ):
        raise UploadBusy(_("This upload is still receiving data from another connection."))
    upload.writer_token = uuid.uuid4().hex
    upload.writer_seen_at = now
    upload.save(update_fields=["writer_token", "writer_seen_at", "updated_at"])
    return upload, upload.writer_token


def _leased(upload_id: uuid.UUID | str, token: str) -> Upload:
    upload = Upload.objects.select_for_update().get(pk=upload_id)
    if upload.writer_token != token or upload.state != UploadState.ACTIVE:
        raise UploadLeaseLost(_("Another connection took over this upload."))
    return upload


@transaction.atomic
def upload_heartbeat(*, upload_id: uuid.UUID | str, token: str) -> None:
    """The writer is alive (raises UploadLeaseLost if it no longer holds the lease)."""
    upload = _leased(upload_id, token)
    upload.writer_seen_at = timezone.now()
    upload.save(update_fields=["writer_seen_at"])


@transaction.atomic
def upload_commit(
    *, upload_id: uuid.UUID | str, token: str, checkpoint: upload_storage.Checkpoint
) -> Upload:
    """Record durable bytes: the offset (and S3 parts and tail) now match storage."""
    upload = _leased(upload_id, token)
    upload.offset = checkpoint.offset
    upload.s3_parts = checkpoint.s3_parts
    upload.tail_key = checkpoint.tail_key
    upload.writer_seen_at = timezone.now()
    upload.expires_at = _expiry()
    upload.save(
        update_fields=[
            "offset",
            "s3_parts",
            "tail_key",
            "writer_seen_at",
            "expires_at",
            "updated_at",
        ]
    )
    return upload


@transaction.atomic
def upload_release(*, upload_id: uuid.UUID | str, token: str) -> None:
    """The writer is done with this request; another may start at once."""
    Upload.objects.filter(pk=upload_id, writer_token=token).update(
        writer_token="", writer_seen_at=None
    )


@transaction.atomic
def upload_complete(*, upload_id: uuid.UUID | str, token: str) -> Upload:
    """Every byte is stored under the source key: the video is uploaded and goes to the
    transcode queue."""
    upload = _leased(upload_id, token)
    upload.offset = upload.length
    upload.state = UploadState.COMPLETE
    upload.completed_at = timezone.now()
    upload.writer_token = ""
    upload.writer_seen_at = None
    upload.s3_parts = []
    upload.tail_key = ""
    upload.save()
    if upload.video_id is not None:
        video = _locked_video(upload.video_id)
        _check_transition(video, VideoState.UPLOADED, allowed_from={VideoState.UPLOADING})
        video.state = VideoState.UPLOADED
        video.source_key = upload.source_key
        video.source_size = upload.length
        video.source_name = upload.filename
        video.save(
            update_fields=["state", "source_key", "source_size", "source_name", "updated_at"]
        )
        _publish_state_on_commit(video)
        video_id = video.pk
        transaction.on_commit(lambda: tasks.transcode_video.delay(video_id))
    return upload


@transaction.atomic
def video_create_from_file(
    *,
    owner: User,
    title: str,
    source_key: str,
    source_name: str,
    source_size: int,
    description: str = "",
    assignment_ref: str = "",
) -> Video:
    """A video whose original is already in storage (a live recording, demo footage): it starts
    as uploaded and goes to the transcode queue, like a finished upload."""
    video = Video.objects.create(
        owner=owner,
        title=title[:MAX_TITLE],
        description=description,
        assignment_ref=assignment_ref,
        state=VideoState.UPLOADED,
        source_key=source_key,
        source_name=source_name,
        source_size=source_size,
    )
    video_id = video.pk
    transaction.on_commit(lambda: tasks.transcode_video.delay(video_id))
    return video


def upload_terminate(*, upload_id: uuid.UUID | str, user: User) -> None:
    """tus termination: the reporter cancels; the bytes and the unfinished video go."""
    with transaction.atomic():
        upload = _writable_upload(upload_id, user)
        if upload.state == UploadState.COMPLETE:
            raise Conflict(
                _("This upload has finished; it cannot be cancelled any more."),
                code=ErrorCode.UPLOAD_COMPLETE,
            )
        upload.state = UploadState.TERMINATED
        upload.writer_token = ""
        upload.save(update_fields=["state", "writer_token", "updated_at"])
        if upload.video_id is not None:
            Video.objects.filter(pk=upload.video_id, state=VideoState.UPLOADING).delete()
    upload_storage.upload_storage_discard(upload=upload)


def uploads_expire(*, now: Any = None) -> int:
    """Clean unfinished uploads past their expiry: bytes removed, video failed with a reason."""
    now = now or timezone.now()
    count = 0
    for upload_id in Upload.objects.filter(
        state=UploadState.ACTIVE, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            upload = (
                Upload.objects.select_for_update()
                .filter(pk=upload_id, state=UploadState.ACTIVE, expires_at__lte=now)
                .first()
            )
            if upload is None:
                continue
            upload.state = UploadState.EXPIRED
            upload.save(update_fields=["state", "updated_at"])
            if upload.video_id is not None:
                video = _locked_video(upload.video_id)
                if video.state == VideoState.UPLOADING:
                    video.state = VideoState.FAILED
                    video.state_reason = _(
                        "The upload stopped before the whole file arrived and expired. "
                        "Please upload the video again."
                    )
                    video.save(update_fields=["state", "state_reason", "updated_at"])
                    _publish_state_on_commit(video)
        upload_storage.upload_storage_discard(upload=upload)
        count += 1
    return count
