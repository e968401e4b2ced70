"""The kinds of content moderation reviews on behalf of the apps above it (comments today).

Moderation sits below community in the layers (docs/architecture.md), so it must not import the
comment model or community's services. The app that owns a kind registers a `Reviewable` for it
in its `AppConfig.ready()`; the queue, the decisions and the viewer reports reach those items only
through it. Videos and live sources belong to lower layers: moderation handles them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from fieldcast.accounts.models import User
from fieldcast.videos.models import Video


@dataclass(frozen=True)
class ReviewItem:
    """What moderation reads about one item, taken from the item's own row (no extra query)."""

    pk: int
    owner_id: int | None
    created_at: datetime
    state: str  # the owning app's state value, as the audit log keeps it
    state_label: str
    held: bool  # waiting for an editor's decision
    shown: bool  # people can see it (so they can report it)
    flags: tuple[str, ...]  # automatic-check flags it was held for ("term")
    summary: str  # a short excerpt an editor or a reporter recognises it by


class Reviewable(Protocol):
    """How moderation loads, shows and decides one kind of item an app above it owns.

    The item is the owning app's model instance; moderation's `Case` and `Report` point at it
    with a foreign key named after the kind.
    """

    def held(self) -> QuerySet[Any]:
        """Every item waiting for an editor."""
        ...

    def find(self, *, pk: int, lock: bool = False) -> Any | None:
        """The item (with its video joined), row-locked when `lock`; None if there is none."""
        ...

    def describe(self, item: Any) -> ReviewItem: ...

    def video(self, item: Any) -> Video | None:
        """The video the item sits under, if any (for the audit log and the report rules)."""
        ...

    def owner(self, item: Any) -> User | None: ...

    def approve(self, *, item: Any, editor: User) -> Any:
        """A held item is let through: it shows (and the owning app does what follows)."""
        ...

    def remove(self, *, item: Any, editor: User, reason: str) -> Any:
        """An editor takes the item down for `reason`; returns the item as it is now."""
        ...


_registry: dict[str, Reviewable] = {}


def register(kind: str, reviewable: Reviewable) -> None:
    """Called once per kind from the owning app's `AppConfig.ready()`."""
    _registry[kind] = reviewable


def reviewable(kind: str) -> Reviewable:
    try:
        return _registry[kind]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"No installed app registered the reviewable kind {kind!r}."
        ) from exc
