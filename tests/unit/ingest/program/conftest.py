"""Studio fixtures: the default program, live sources in any state, an editor holding the switcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ingest.models import LiveSource, Program, Protocol, SourceState
from ingest.program import services
from tests.factories import UserFactory


@pytest.fixture
def program(db: None) -> Program:
    return services.program_default()


@pytest.fixture
def make_source(db: None) -> Callable[..., LiveSource]:
    def make(state: str = SourceState.APPROVED, **fields: Any) -> LiveSource:
        reporter = fields.pop("reporter", None) or UserFactory(roles=["reporter"])
        return LiveSource.objects.create(
            reporter=reporter,
            title=fields.pop("title", f"Street {reporter.pk}"),
            protocol=Protocol.WHIP,
            state=state,
            connected=state not in (SourceState.ENDED, SourceState.KILLED, SourceState.REJECTED),
            **fields,
        )

    return make


@pytest.fixture
def holder(editor, program: Program) -> Any:
    """An editor who took the switcher of a running `main`."""
    services.program_take_switcher(slug=program.slug, editor=editor)
    services.program_start(slug=program.slug, editor=editor)
    return editor
