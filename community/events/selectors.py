"""Reads of events and guest experts; each page-sized read takes a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from community.events.services import waiting_position
from community.models import Event, EventRegistration, GuestExpert, RegistrationState
from fieldcast.accounts.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class EventCounts(TypedDict):
    """What every event read adds: places taken and people waiting."""

    confirmed: int
    waiting: int


def _with_counts(events: QuerySet[Event]) -> QuerySet[WithAnnotations[Event, EventCounts]]:
    return events.annotate(
        confirmed=Count(
            "registrations", filter=Q(registrations__state=RegistrationState.CONFIRMED)
        ),
        waiting=Count("registrations", filter=Q(registrations__state=RegistrationState.WAITING)),
    )


def events_upcoming(
    *, now: datetime | None = None
) -> QuerySet[WithAnnotations[Event, EventCounts]]:
    """Events that have not ended yet, soonest first, each with `confirmed` and `waiting` counts."""
    return _with_counts(Event.objects.filter(ends_at__gt=now or timezone.now())).order_by(
        "starts_at", "id"
    )


def events_past(*, now: datetime | None = None) -> QuerySet[WithAnnotations[Event, EventCounts]]:
    return _with_counts(Event.objects.filter(ends_at__lte=now or timezone.now())).order_by(
        "-starts_at", "-id"
    )


@dataclass
class EventPage:
    event: Event
    confirmed: int
    waiting: int
    registration: EventRegistration | None  # this person's current sign-up, if any
    position: int  # their place on the waiting list (0 if not waiting)
    started: bool

    @property
    def places_left(self) -> int:
        return max(0, self.event.capacity - self.confirmed)


def event_page(*, event_id: int, user: User | AnonymousUser) -> EventPage | None:
    event = _with_counts(Event.objects.filter(pk=event_id)).first()
    if event is None:
        return None
    registration = None
    if user.is_authenticated:
        registration = (
            EventRegistration.objects.filter(event=event, user_id=user.pk)
            .exclude(state=RegistrationState.CANCELLED)
            .first()
        )
    return EventPage(
        event=event,
        confirmed=event.confirmed,
        waiting=event.waiting,
        registration=registration,
        position=waiting_position(registration) if registration is not None else 0,
        started=event.starts_at <= timezone.now(),
    )


def event_attendance_sheet(*, event_id: int) -> list[EventRegistration]:
    """People with a place, by name, with whether they were marked as attended."""
    return list(
        EventRegistration.objects.filter(event_id=event_id, state=RegistrationState.CONFIRMED)
        .select_related("user")
        .order_by("user__display_name", "id")
    )


def event_waiting_list(*, event_id: int) -> list[EventRegistration]:
    return list(
        EventRegistration.objects.filter(event_id=event_id, state=RegistrationState.WAITING)
        .select_related("user")
        .order_by("queued_at", "id")
    )


def events_for_user(*, user: User) -> QuerySet[EventRegistration]:
    """A person's current sign-ups (places and waiting), soonest event first."""
    return (
        EventRegistration.objects.filter(user=user)
        .exclude(state=RegistrationState.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at", "id")
    )


def is_guest_expert(user: User | AnonymousUser | None) -> bool:
    """Whether staff gave this person the guest expert badge (for comments and live chat)."""
    if user is None or not user.is_authenticated:
        return False
    return GuestExpert.objects.filter(user_id=user.pk).exists()


def guest_expert_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of these people are guest experts: one query for a whole list (chat history)."""
    ids = {uid for uid in user_ids if uid}
    if not ids:
        return set()
    return set(GuestExpert.objects.filter(user_id__in=ids).values_list("user_id", flat=True))


def guest_experts() -> QuerySet[GuestExpert]:
    return GuestExpert.objects.select_related("user").order_by("user__display_name", "id")
