"""What accounts announce to higher layers, after commit (docs/architecture.md: layers).

Stream keys and live sessions belong to ingest, a higher layer that accounts must not import.
When a password is replaced, accounts publishes a typed event once the change is committed;
ingest subscribes in its AppConfig.ready() and revokes what it owns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PasswordReplaced:
    """A person's password changed. `suspected_compromise` is True for a reset through the
    emailed link (the old password may be known to someone else), False for a voluntary change."""

    user_id: int
    suspected_compromise: bool


PasswordReplacedHandler = Callable[[PasswordReplaced], object]  # return values are ignored
_password_replaced: list[PasswordReplacedHandler] = []


def subscribe_password_replaced(handler: PasswordReplacedHandler) -> None:
    """Call `handler` after every committed password change (idempotent per handler)."""
    if handler not in _password_replaced:
        _password_replaced.append(handler)


def announce_password_replaced(event: PasswordReplaced) -> None:
    """Run the subscribers once the current transaction commits (now if there is none)."""

    def deliver() -> None:
        for handler in list(_password_replaced):
            try:
                handler(event)
            except Exception:
                # One subscriber's failure must not stop the others; the password is already set.
                logger.exception("password_replaced subscriber %r failed", handler)

    transaction.on_commit(deliver)
