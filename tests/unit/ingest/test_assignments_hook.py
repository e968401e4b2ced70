"""The ingest reads assignments only through the lookup the community app registers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from community.assignments.selectors import assignment_city_and_title as community_lookup
from ingest import assignments


@pytest.fixture
def lookup_calls() -> Iterator[list[int]]:
    calls: list[int] = []

    def lookup(assignment_id: int) -> tuple[str, str] | None:
        calls.append(assignment_id)
        return ("Lyon", "Floods") if assignment_id == 7 else None

    assignments.register_assignment_lookup(lookup)
    yield calls
    assignments.register_assignment_lookup(community_lookup)


def test_a_reference_is_looked_up_by_its_id(lookup_calls) -> None:
    assert assignments.assignment_city_and_title(" 7 ") == ("Lyon", "Floods")
    assert assignments.assignment_city_and_title("8") == ("", "")
    assert lookup_calls == [7, 8]


def test_a_reference_that_is_not_an_id_is_never_looked_up(lookup_calls) -> None:
    assert assignments.assignment_city_and_title("floods-lyon") == ("", "")
    assert assignments.assignment_city_and_title("") == ("", "")
    assert lookup_calls == []


def test_without_a_registered_lookup_a_reference_names_nothing(lookup_calls) -> None:
    assignments.register_assignment_lookup(None)

    assert assignments.assignment_city_and_title("7") == ("", "")
