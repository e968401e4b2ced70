"""Celery tasks and the FFmpeg command builders they use."""
