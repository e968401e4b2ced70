"""Core tables shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RelayedEvent(models.Model):
    """A websocket event waiting for the web process to relay it (embedded mode only).

    In the embedded mode the channel layer lives in the web process's memory, so a Celery worker
    cannot reach it; the worker writes the event here and the web process's relay (see
    `fieldcast.core.events`) group-sends it, then prunes old rows.
    """

    group = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.payload.get('type', '?')}"
