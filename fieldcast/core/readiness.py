"""Readiness checks: can this process reach everything it depends on?

Each check returns None when healthy or a short reason. `/readyz` runs them all.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from kombu import Connection


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_broker() -> str | None:
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.READY_CHECK_TIMEOUT)
    return None


def check_storage() -> str | None:
    name = f"readiness/{uuid.uuid4().hex}.txt"
    saved = default_storage.save(name, ContentFile(b"ok"))
    try:
        with default_storage.open(saved) as handle:
            if handle.read() != b"ok":
                return "storage returned different bytes"
    finally:
        default_storage.delete(saved)
    return None


def check_channel_layer() -> str | None:
    layer = get_channel_layer()
    if layer is None:
        return "no channel layer configured"

    async def round_trip() -> bool:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "readiness.ping"})
        message = await asyncio.wait_for(layer.receive(channel), settings.READY_CHECK_TIMEOUT)
        return message.get("type") == "readiness.ping"

    if not async_to_sync(round_trip)():
        return "channel layer returned a different message"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "channel_layer": check_channel_layer,
}


def readiness_report() -> tuple[bool, dict[str, dict[str, object]]]:
    """Run every check; a check that raises is reported as failing with the error's text."""
    report: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            problem = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported as text
            problem = f"{type(exc).__name__}: {exc}"
        report[name] = {
            "ok": problem is None,
            "ms": round((time.monotonic() - started) * 1000, 1),
            **({"error": problem} if problem else {}),
        }
    return all(item["ok"] for item in report.values()), report
