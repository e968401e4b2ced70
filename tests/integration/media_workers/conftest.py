"""Tiny generated clips and uploaded videos for the media worker tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import VideoFactory
from tests.integration.media.clips import clip_dir, phone_clip

__all__ = ["clip_dir", "phone_clip", "upload_video"]


@pytest.fixture
def upload_video(db: None) -> Callable[..., object]:
    """Put bytes in storage as an original and return its Video, state `uploaded`."""

    def upload(data: bytes, *, name: str = "clip.mp4", **fields: object):
        key = default_storage.save(f"uploads/{uuid.uuid4()}/{name}", ContentFile(data))
        return VideoFactory(
            state="uploaded", source_key=key, source_name=name, source_size=len(data), **fields
        )

    return upload
