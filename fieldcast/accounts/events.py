"""What accounts announce to higher layers, after commit (docs/architecture.md: layers).

Stream keys and live sessions belong to ingest, a higher layer that accounts must not import.
When a password is replaced, accounts publishes this event through `fieldcast.core.domain_events`
once the change is committed; ingest subscribes in its AppConfig.ready() and revokes what it owns.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PasswordReplaced:
    """A person's password changed. `suspected_compromise` is True for a reset through the
    emailed link (the old password may be known to someone else), False for a voluntary change."""

    user_id: int
    suspected_compromise: bool
