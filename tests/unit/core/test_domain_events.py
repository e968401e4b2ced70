"""Domain events reach their subscribers after commit, and never for a rolled-back write."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.db import transaction

from fieldcast.core import domain_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_subscribers(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module's subscribers only, gone after each test."""
    monkeypatch.setattr(domain_events, "_handlers", defaultdict(list))


@dataclass(frozen=True)
class Happened:
    what: str


def test_a_subscriber_hears_the_event_after_commit_once(django_capture_on_commit_callbacks):
    # given a subscriber, subscribed twice by mistake
    heard: list[Happened] = []
    domain_events.subscribe(Happened, heard.append)
    domain_events.subscribe(Happened, heard.append)

    # when an event is published inside a transaction
    with django_capture_on_commit_callbacks(execute=True):
        domain_events.publish_on_commit(Happened("cut"))
        # then nothing is delivered before the commit
        assert heard == []

    # then it is delivered once after it
    assert heard == [Happened("cut")]


def test_a_rolled_back_write_announces_nothing(django_capture_on_commit_callbacks):
    # given
    heard: list[Happened] = []
    domain_events.subscribe(Happened, heard.append)

    def publish_then_fail() -> None:
        with transaction.atomic():
            domain_events.publish_on_commit(Happened("lost"))
            raise RuntimeError("rolled back")

    # when the transaction that published rolls back
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        publish_then_fail()

    # then
    assert heard == []


def test_a_failing_subscriber_does_not_stop_the_others(
    django_capture_on_commit_callbacks, caplog: pytest.LogCaptureFixture
):
    # given a subscriber that fails, then one that works
    heard: list[Happened] = []

    def broken(event: Happened) -> None:
        raise RuntimeError("subscriber bug")

    domain_events.subscribe(Happened, broken)
    domain_events.subscribe(Happened, heard.append)

    # when an event is published and committed
    with django_capture_on_commit_callbacks(execute=True):
        domain_events.publish_on_commit(Happened("cut"))

    # then the second still hears it, and the failure is logged with its event
    assert heard == [Happened("cut")]
    assert "Happened subscriber" in caplog.text
    assert "subscriber bug" in caplog.text
