"""The same deed delivered twice at the same moment pays once (two threads, two connections).

On PostgreSQL (CI's scaled mode) the two deliveries really race: two threads, each with its own
database connection, released together by a barrier. SQLite serialises every writer, so in the
embedded mode the same deliveries run one after the other.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from fieldcast.points.models import PointEvent, PointsAccount
from fieldcast.points.services import (
    points_award,
    points_content_removed,
    points_original_footage,
    points_video_reinstated,
)
from fieldcast.videos import services as video_services
from moderation.services import checks_record
from tests.factories import UserFactory, VideoFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def _deliver_twice(user, key: str) -> list:
    outcomes: list = []
    if connection.vendor != "postgresql":
        for _ in range(2):
            outcomes.append(points_award(user=user, rule="used_on_air", obj="live:1", key=key))
        return outcomes
    barrier = threading.Barrier(2)

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(points_award(user=user, rule="used_on_air", obj="live:1", key=key))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_same_deed_delivered_twice_concurrently_pays_once() -> None:
    # given fresh reporters (their points accounts do not exist yet, so creation races too)
    users = [UserFactory(roles=["reporter"]) for _ in range(ROUNDS)]

    for round_number, user in enumerate(users):
        # when the same deed arrives twice at once
        outcomes = _deliver_twice(user, key=f"air:{round_number}")

        # then both deliveries answer with the one event, and it paid once
        assert len(outcomes) == 2
        assert all(isinstance(outcome, PointEvent) for outcome in outcomes), outcomes
        assert outcomes[0].pk == outcomes[1].pk
        assert PointEvent.objects.filter(user=user).count() == 1
        assert PointsAccount.objects.get(user=user).total == 50


def test_many_different_deeds_concurrently_all_pay() -> None:
    # given one reporter
    user = UserFactory(roles=["reporter"])
    keys = [f"vp:{n}" for n in range(6)]

    # when six different deeds arrive from two threads at once (three each)
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)

        def deliver(mine: list[str]) -> None:
            try:
                barrier.wait(timeout=10)
                for key in mine:
                    points_award(user=user, rule="video_published", obj=key, key=key)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver, args=(keys[i::2],)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for key in keys:
            points_award(user=user, rule="video_published", obj=key, key=key)

    # then every deed paid once and the cached total equals the ledger
    ledger = PointEvent.objects.filter(user=user).aggregate(s=Sum("points"))["s"]
    assert PointEvent.objects.filter(user=user).count() == 6
    assert ledger == PointsAccount.objects.get(user=user).total == 60


def _race(function, **kwargs) -> list:
    """Call `function(**kwargs)` from two threads released together (one after the other on
    SQLite, which serialises writers)."""
    if connection.vendor != "postgresql":
        return [function(**kwargs), function(**kwargs)]
    outcomes: list = []
    barrier = threading.Barrier(2)

    def call() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(function(**kwargs))
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_removal_and_appeal_delivered_twice_concurrently_count_once() -> None:
    # given an approved original clip (+10, +5) that editors then removed
    editor = UserFactory(roles=["editor"])
    video = VideoFactory(state="pending_review")
    checks_record(
        video_id=video.pk,
        version=1,
        term_matches=[],
        technical={},
        technical_flags=[],
        hashes=[],
        similar=[],
    )
    video_services.video_publish(video=video, editor=editor)
    points_original_footage(video=video)
    video_services.video_remove(video_id=video.pk, editor=editor, reason="fake")

    # when the removal's points are delivered twice at once
    removed = _race(points_content_removed, video=video, reason="fake")

    # then the approval was reversed once and the penalty charged once
    assert not [outcome for outcome in removed if isinstance(outcome, Exception)], removed
    keys = sorted(PointEvent.objects.filter(user=video.owner).values_list("key", flat=True))
    assert keys == sorted(
        [
            f"video_published:{video.pk}",
            f"original_footage:{video.pk}",
            f"reversal:video_published:{video.pk}",
            f"reversal:original_footage:{video.pk}",
            f"content_removed:{video.pk}",
        ]
    )

    # and when an appeal is granted and its points are delivered twice at once
    video_services.video_reinstate(video_id=video.pk, editor=editor)
    granted = _race(points_video_reinstated, video=video, reason="appeal")

    # then the penalty is refunded once and the approval paid again once
    assert not [outcome for outcome in granted if isinstance(outcome, Exception)], granted
    ledger = PointEvent.objects.filter(user=video.owner).aggregate(s=Sum("points"))["s"]
    assert PointEvent.objects.filter(user=video.owner).count() == 8
    assert ledger == PointsAccount.objects.get(user=video.owner).total == 15
