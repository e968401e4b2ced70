"""Every write a video goes through: upload, processing, publishing.

Each service owns one transaction, locks the video row and checks the move against
`VIDEO_TRANSITIONS`. Side effects (websocket events, Celery tasks) run after commit.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notify import notify_video_published
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.core.sizes import sizes_text
from fieldcast.points.rules import Rule as PointsRule
from fieldcast.points.services import points_award
from fieldcast.videos import upload_storage
from fieldcast.videos.models import VIDEO_TRANSITIONS, Upload, UploadState, Video, VideoState

# The module, not the task: media_workers.transcoding calls back into these services, and a worker
# imports media_workers.tasks first; the attribute is looked up only when an upload completes.
from media_workers import tasks as media_tasks  # noqa: E402,I001

CHECKS_TASK = "moderation.tasks.run_automatic_checks"


class InvalidVideoTransition(Conflict):
    default_code = "invalid_state"


def _locked_video(video_id: int) -> Video:
    try:
        return Video.objects.select_for_update().get(pk=video_id)
    except Video.DoesNotExist as exc:
        raise NotFound(_("We could not find that video.")) from exc


def _check_transition(video: Video, target: str, *, allowed_from: set[str] | None = None) -> None:
    if target not in VIDEO_TRANSITIONS.get(video.state, set()) or (
        allowed_from is not None and video.state not in allowed_from
    ):
        raise InvalidVideoTransition(
            _("This video is %(state)s and cannot become %(target)s.")
            % {
                "state": VideoState(video.state).label,
                "target": VideoState(target).label,
            }
        )


def _publish_state_on_commit(video: Video) -> None:
    event = video_state_event(video)
    owner_id = video.owner_id
    transaction.on_commit(lambda: events.publish(group=events.user_group(owner_id), event=event))


def video_state_event(video: Video) -> dict[str, Any]:
    """The "video.state" event: everything the upload page needs to redraw one video."""
    return {
        "type": "video.state",
        "video_id": video.pk,
        "state": video.state,
        "state_label": str(VideoState(video.state).label),
        "reason": video.state_reason,
        "progress": video.progress,
    }


# --- Processing (called by media_workers.tasks.transcode_video) -------------------------------


@transaction.atomic
def video_processing_start(*, video_id: int) -> Video:
    """uploaded|processing -> processing, progress 0.

    Idempotent: a retried task calls it again on a video already processing. Any other state
    raises `InvalidVideoTransition` (the task then gives up quietly).
    """
    video = _locked_video(video_id)
    _check_transition(
        video, VideoState.PROCESSING, allowed_from={VideoState.UPLOADED, VideoState.PROCESSING}
    )
    video.state = VideoState.PROCESSING
    video.progress = 0
    video.state_reason = ""
    video.save(update_fields=["state", "progress", "state_reason", "updated_at"])
    _publish_state_on_commit(video)
    return video


@transaction.atomic
def video_processing_progress(*, video_id: int, percent: int) -> None:
    """Store the transcode progress (0-100) and tell the owner's sockets."""
    percent = max(0, min(100, int(percent)))
    video = _locked_video(video_id)
    if video.state != VideoState.PROCESSING:
        return  # a late report from a task that no longer owns the video
    video.progress = percent
    video.save(update_fields=["progress", "updated_at"])
    event = {"type": "video.progress", "video_id": video.pk, "percent": percent}
    owner_id = video.owner_id
    transaction.on_commit(lambda: events.publish(group=events.user_group(owner_id), event=event))


@transaction.atomic
def video_processing_succeed(
    *,
    video_id: int,
    version: int,
    output_prefix: str,
    renditions: list[dict[str, Any]],
    poster_key: str,
    thumbnails_key: str,
    download_key: str,
    probe: dict[str, Any],
) -> Video:
    """processing -> pending_review with the published outputs of `version` and the probe facts.

    `probe` holds duration_seconds, width, height, frame_rate and capture_metadata (device/GPS
    tags, kept for editors only; never in any output file).
    """
    video = _locked_video(video_id)
    _check_transition(video, VideoState.PENDING_REVIEW, allowed_from={VideoState.PROCESSING})
    video.state = VideoState.PENDING_REVIEW
    video.state_reason = ""
    video.progress = 100
    video.version = version
    video.output_prefix = output_prefix
    video.renditions = list(renditions)
    video.poster_key = poster_key
    video.thumbnails_key = thumbnails_key
    video.download_key = download_key
    video.duration_seconds = probe.get("duration_seconds")
    video.width = probe.get("width")
    video.height = probe.get("height")
    video.frame_rate = probe.get("frame_rate")
    video.capture_metadata = probe.get("capture_metadata") or {}
    video.save()
    _publish_state_on_commit(video)
    # Moderation's automatic checks run before a human looks (sent by name: no import cycle).
    transaction.on_commit(lambda: current_app.send_task(CHECKS_TASK, args=[video_id]))
    return video


@transaction.atomic
def video_processing_fail(*, video_id: int, reason: str) -> Video:
    """processing|uploaded -> failed, with a reason the reporter can read."""
    video = _locked_video(video_id)
    _check_transition(
        video, VideoState.FAILED, allowed_from={VideoState.UPLOADED, VideoState.PROCESSING}
    )
    video.state = VideoState.FAILED
    video.state_reason = reason
    video.save(update_fields=["state", "state_reason", "updated_at"])
    _publish_state_on_commit(video)
    return video


# --- Review -------------------------------------------------------------------------------------


@transaction.atomic
def video_publish(*, video: Video, editor: User, verification: str = "") -> Video:
    """pending_review -> published by an editor (moderate_content), with their verification note."""
    if not roles.has_role_permission(editor, "moderate_content"):
        raise PermissionDenied(_("Only editors can publish videos."))
    locked = _locked_video(video.pk)
    _check_transition(locked, VideoState.PUBLISHED, allowed_from={VideoState.PENDING_REVIEW})
    locked.state = VideoState.PUBLISHED
    locked.published_at = timezone.now()
    locked.verification_note = verification
    locked.reviewed_by = editor
    locked.save(
        update_fields=["state", "published_at", "verification_note", "reviewed_by", "updated_at"]
    )
    points_award(
        user=locked.owner,
        rule=PointsRule.VIDEO_PUBLISHED,
        obj=locked,
        key=f"video_published:{locked.pk}",
        assignment_ref=locked.assignment_ref,
    )
    notify_video_published(video=locked)
    _publish_state_on_commit(locked)
    return locked


# --- Uploads (tus) ------------------------------------------------------------------------------


class UploadTooLarge(ApplicationError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class UploadGone(ApplicationError):
    status_code = HTTPStatus.GONE
    default_code = "upload_expired"


class UploadBusy(ApplicationError):
    status_code = HTTPStatus.LOCKED
    default_code = "upload_busy"


class UploadLeaseLost(Conflict):
    default_code = "upload_busy"


class ChecksumMismatch(ApplicationError):
    status_code = 460  # type: ignore[assignment]  # tus checksum extension, not in HTTPStatus
    default_code = "checksum_mismatch"


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
            code="empty_file",
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
            code="too_many_uploads",
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
            code="daily_limit",
        )


def upload_create(*, user: User, length: int, metadata: dict[str, str]) -> Upload:
    """A reporter starts a tus upload: checks the limits, creates the Video (uploading) and
    prepares storage. `metadata` is the decoded Upload-Metadata."""
    if not roles.has_role_permission(user, "upload_video"):
        raise PermissionDenied(_("Only reporters can upload videos."))
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
            code="wrong_offset",
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
        transaction.on_commit(lambda: media_tasks.transcode_video.delay(video_id))
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
    transaction.on_commit(lambda: media_tasks.transcode_video.delay(video_id))
    return video


def upload_terminate(*, upload_id: uuid.UUID | str, user: User) -> None:
    """tus termination: the reporter cancels; the bytes and the unfinished video go."""
    with transaction.atomic():
        upload = _writable_upload(upload_id, user)
        if upload.state == UploadState.COMPLETE:
            raise Conflict(
                _("This upload has finished; it cannot be cancelled any more."),
                code="upload_complete",
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


# --- Moderation decisions (called by moderation.services, which checks roles and claims) --------


def _moderation_move(
    *, video_id: int, target: str, allowed_from: set[str], reason: str | None, editor: User | None
) -> Video:
    locked = _locked_video(video_id)
    _check_transition(locked, target, allowed_from=allowed_from)
    fields = ["state", "updated_at"]
    locked.state = target
    if reason is not None:
        locked.state_reason = reason
        fields.append("state_reason")
    if editor is not None:
        locked.reviewed_by = editor
        fields.append("reviewed_by")
    if target == VideoState.PUBLISHED and locked.published_at is None:
        locked.published_at = timezone.now()
        fields.append("published_at")
    locked.save(update_fields=fields)
    _publish_state_on_commit(locked)
    return locked


@transaction.atomic
def video_reject(*, video_id: int, editor: User, reason: str) -> Video:
    """pending_review -> rejected, with the reason the reporter will read."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.REJECTED,
        allowed_from={VideoState.PENDING_REVIEW},
        reason=reason,
        editor=editor,
    )


@transaction.atomic
def video_hide(*, video_id: int, reason: str) -> Video:
    """published -> hidden (viewer reports past the threshold, or an editor) until a decision."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.HIDDEN,
        allowed_from={VideoState.PUBLISHED},
        reason=reason,
        editor=None,
    )


@transaction.atomic
def video_restore(*, video_id: int, editor: User) -> Video:
    """hidden -> published: an editor dismissed the reports."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.PUBLISHED,
        allowed_from={VideoState.HIDDEN},
        reason="",
        editor=editor,
    )


@transaction.atomic
def video_remove(*, video_id: int, editor: User, reason: str) -> Video:
    """published|hidden -> removed by an editor, with the reason the uploader will read."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.REMOVED,
        allowed_from={VideoState.PUBLISHED, VideoState.HIDDEN},
        reason=reason,
        editor=editor,
    )


@transaction.atomic
def video_reinstate(*, video_id: int, editor: User) -> Video:
    """rejected|removed -> published: a second editor granted the uploader's appeal."""
    return _moderation_move(
        video_id=video_id,
        target=VideoState.PUBLISHED,
        allowed_from={VideoState.REJECTED, VideoState.REMOVED},
        reason="",
        editor=editor,
    )
