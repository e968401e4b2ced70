"""The channel-layer groups of the studio and the program engine.

A module of names only (no Django ORM): the services publish to these groups, the engine in the
media loop listens on one and sends stats to another.
"""

from __future__ import annotations

ENGINE_GROUP = "program-engine"  # the engines hear every program's `program.command` here


def studio_group(slug: str) -> str:
    """The editors' studio pages of one program."""
    return f"studio-{slug}"


def live_group(slug: str) -> str:
    """The viewers' page of one program."""
    return f"live-{slug}"
