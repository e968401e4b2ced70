"""Two editors claim the same item at once: exactly one wins.

On PostgreSQL two threads really race (the row lock makes the second wait and then see the first
claim). SQLite serialises writers on the whole file, so there the same check runs one after the
other: the refusal logic is identical, only the race is not.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from moderation import services
from moderation.models import AuditEntry, Case
from tests.factories import UserFactory
from tests.unit.moderation.factories import pending_case


def _claim(case_id: int, editor, results: list, barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=10)
        services.case_claim(case_id=case_id, editor=editor)
        results.append(("won", editor.pk))
    except services.CaseClaimed:
        results.append(("refused", editor.pk))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_editors_claiming_at_once_exactly_one_wins():
    # given
    case = pending_case()
    first, second = UserFactory(roles=["editor"]), UserFactory(roles=["editor"])
    results: list[tuple[str, int]] = []
    # when
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_claim, args=(case.pk, editor, results, barrier))
            for editor in (first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for editor in (first, second):
            _claim(case.pk, editor, results, threading.Barrier(1))
    # then
    outcomes = sorted(outcome for outcome, _ in results)
    assert outcomes == ["refused", "won"]
    winner = next(editor_id for outcome, editor_id in results if outcome == "won")
    assert Case.objects.get(pk=case.pk).claimed_by_id == winner
    assert list(AuditEntry.objects.values_list("action", "actor_id")) == [("claim", winner)]
