"""One engine per program: the lease an ingest process holds on a running program's row
(called through ingest/program/reporting.py, off the media loop)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ingest.models import Program


def program_engine_claim(*, program_id: int, node: str) -> bool:
    """The engine of ingest process `node` takes or renews the lease of a running program.

    True when `node` holds it now. Another node's lease stands until it has gone unrenewed for
    PROGRAM_ENGINE_LEASE_SECONDS (that process died or lost the database): two engines on one
    program would both write its HLS, and the one without the on-air source would cut it away."""
    now = timezone.now()
    lapsed = now - timedelta(seconds=settings.PROGRAM_ENGINE_LEASE_SECONDS)
    free = Q(engine_node="") | Q(engine_node=node) | Q(engine_seen_at__lt=lapsed)
    claimed = Program.objects.filter(free, pk=program_id, running=True).update(
        engine_node=node, engine_seen_at=now
    )
    return claimed == 1


def program_engine_release(*, program_id: int, node: str) -> None:
    """The engine of `node` stopped running the program: another may take it at once."""
    Program.objects.filter(pk=program_id, engine_node=node).update(
        engine_node="", engine_seen_at=None
    )
