"""The transcode pipeline the Celery task runs (work in progress)."""

from __future__ import annotations


class TransientError(Exception):
    """Storage or database unreachable for a moment: the task retries with backoff."""


def video_transcode(*, video_id: int) -> None:
    """Transcode the video's original into HLS renditions and publish them to review."""
    raise NotImplementedError


def video_transcode_give_up(*, video_id: int) -> None:
    """Mark the video failed after the retries ran out."""
    raise NotImplementedError
