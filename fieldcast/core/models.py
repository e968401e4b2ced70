"""Core tables shared by every app."""

from __future__ import annotations

from typing import Any, NoReturn

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


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of an append-only table (audit log, comment log) are never changed or removed:
    corrections are new rows. Bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def delete(self) -> NoReturn:
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")


class AppendOnlyModel(models.Model):
    """Base for append-only tables: a row may be created, never saved again or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")
