"""Typed domain events: how a lower layer tells a higher one that something happened.

A service publishes an event (a frozen dataclass) with `publish_on_commit`; a higher layer
subscribes a handler in its `AppConfig.ready()`. Handlers run after the publishing transaction
commits, in the same process, each in its own transaction: a rolled-back write announces nothing,
one subscriber's failure is logged and does not stop the others (what was published is already
committed), and the lower layer never imports the higher one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)

E = TypeVar("E")
_handlers: dict[type, list[Callable[[Any], object]]] = defaultdict(list)  # returns are ignored


def subscribe(event_type: type[E], handler: Callable[[E], object]) -> None:
    """Call `handler(event)` after every committed publish of `event_type` (once per handler)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish_on_commit(event: object) -> None:
    """Deliver `event` to its subscribers once the current transaction commits."""
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: object) -> None:
    for handler in list(_handlers.get(type(event), [])):
        try:
            with transaction.atomic():
                handler(event)
        except Exception:
            logger.exception("%s subscriber %r failed", type(event).__name__, handler)
