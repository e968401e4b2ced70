"""What the program side announces to higher layers (fieldcast.core.domain_events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgramCreated:
    """Staff added a channel (program): the community opens its live chat."""

    slug: str
