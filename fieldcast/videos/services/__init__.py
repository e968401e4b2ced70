"""Every write a video goes through: upload, processing, publishing, moderation decisions.

One module per use case; this package re-exports their services, so callers import
`fieldcast.videos.services` as before. Each service owns one transaction, locks the video row and
checks the move against `VIDEO_TRANSITIONS`. Side effects (websocket events, Celery tasks) run
after commit.
"""

from fieldcast.videos.services.processing import (
    CHECKS_TASK,
    video_processing_fail,
    video_processing_progress,
    video_processing_start,
    video_processing_succeed,
)
from fieldcast.videos.services.review import (
    video_hide,
    video_publish,
    video_reinstate,
    video_reject,
    video_remove,
    video_restore,
)
from fieldcast.videos.services.transitions import InvalidVideoTransition, video_state_event
from fieldcast.videos.services.uploads import (
    MAX_TITLE,
    ChecksumMismatch,
    UploadBusy,
    UploadGone,
    UploadLeaseLost,
    UploadTooLarge,
    upload_acquire,
    upload_commit,
    upload_complete,
    upload_create,
    upload_for_owner,
    upload_heartbeat,
    upload_release,
    upload_terminate,
    uploads_expire,
    video_create_from_file,
)

__all__ = [
    "CHECKS_TASK",
    "ChecksumMismatch",
    "InvalidVideoTransition",
    "MAX_TITLE",
    "UploadBusy",
    "UploadGone",
    "UploadLeaseLost",
    "UploadTooLarge",
    "upload_acquire",
    "upload_commit",
    "upload_complete",
    "upload_create",
    "upload_for_owner",
    "upload_heartbeat",
    "upload_release",
    "upload_terminate",
    "uploads_expire",
    "video_create_from_file",
    "video_hide",
    "video_processing_fail",
    "video_processing_progress",
    "video_processing_start",
    "video_processing_succeed",
    "video_publish",
    "video_reinstate",
    "video_reject",
    "video_remove",
    "video_restore",
    "video_state_event",
]
