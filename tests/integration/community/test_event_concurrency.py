"""Many people taking the last places at the same moment: the event row lock keeps the count
right (exactly `capacity` places, everyone else waiting in a single queue)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from community.events import services as event_services
from community.models import EventRegistration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_sign_ups_never_overfill_an_event(editor):
    # given an event with two places and six people ready to sign up at once
    start = timezone.now() + timedelta(days=1)
    event = event_services.event_create(
        user=editor,
        title="Drone safety",
        description="Rules and practice.",
        kind="training",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
        place="Field behind the newsroom",
    )
    people = UserFactory.create_batch(6)
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def sign_up(person) -> None:
        try:
            barrier.wait(timeout=30)
            event_services.event_sign_up(user=person, event_id=event.pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when they all sign up at the same moment
    threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then two have places and four wait, each at a different place in the queue
    assert errors == []
    states = list(EventRegistration.objects.filter(event=event).values_list("state", flat=True))
    assert sorted(states) == ["confirmed"] * 2 + ["waiting"] * 4
    positions = [
        event_services.waiting_position(r)
        for r in EventRegistration.objects.filter(event=event, state="waiting")
    ]
    assert sorted(positions) == [1, 2, 3, 4]
