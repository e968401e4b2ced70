"""What an assignment reference names, as far as the ingest needs to know: its city and title.

A live source may cover an assignment (`assignment_ref`: the assignment's id as text); the
studio's lower third and the viewers' page show its city and title. Assignments belong to the
community app, which sits above the ingest: the ingest cannot read them itself, so the community
app registers a lookup when it starts (its `AppConfig.ready()`). Without one, a reference names
nothing and the lower third shows blanks.
"""

from __future__ import annotations

from collections.abc import Callable

# An assignment's id -> (city, title), or None when there is no such assignment.
AssignmentLookup = Callable[[int], tuple[str, str] | None]

_lookup: AssignmentLookup | None = None


def register_assignment_lookup(lookup: AssignmentLookup | None) -> None:
    """Called once at start-up by the app that owns assignments (None: forget it, for tests)."""
    global _lookup  # noqa: PLW0603 - one process-wide hook, set at start-up
    _lookup = lookup


def assignment_city_and_title(assignment_ref: str) -> tuple[str, str]:
    """(city, title) of the assignment `assignment_ref` names, or blanks."""
    ref = (assignment_ref or "").strip()
    if not ref.isdigit() or _lookup is None:
        return "", ""
    return _lookup(int(ref)) or ("", "")
