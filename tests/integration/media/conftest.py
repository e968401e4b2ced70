"""Fixtures of the media tests: tiny generated clips."""

from tests.integration.media.clips import clip_dir, phone_clip

__all__ = ["clip_dir", "phone_clip"]
