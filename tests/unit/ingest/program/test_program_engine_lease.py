"""One engine runs a program: the lease on the program row, and the engine that stands by.

Two ingest processes (or a forgotten second server in a test run) both hear every studio command.
Without a lease both would encode the program, and the one that does not hold the on-air source
would report it "not connected" and cut it away a moment after each cut.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ingest.models import Program, ProgramLogEntry, SourceState
from ingest.program import engine as engine_module
from ingest.program import services
from ingest.program.engine import ProgramEngine

A, B = "ingest-a:101:aaa", "ingest-b:202:bbb"


# --- the lease on the program row ----------------------------------------------------------------


@pytest.mark.django_db
def test_one_node_holds_a_running_program_until_it_lets_go_or_goes_quiet(
    holder, program, settings
) -> None:
    # given A holds the lease of the running program
    assert services.program_engine_claim(program_id=program.pk, node=A)

    # then B cannot take it while A renews it, and A can renew it
    assert not services.program_engine_claim(program_id=program.pk, node=B)
    assert services.program_engine_claim(program_id=program.pk, node=A)
    program.refresh_from_db()
    assert program.engine_node == A

    # when A has not renewed for longer than the lease (its process died)
    Program.objects.filter(pk=program.pk).update(
        engine_seen_at=timezone.now() - timedelta(seconds=settings.PROGRAM_ENGINE_LEASE_SECONDS + 1)
    )

    # then B takes it over, and A, coming back, no longer holds it
    assert services.program_engine_claim(program_id=program.pk, node=B)
    assert not services.program_engine_claim(program_id=program.pk, node=A)

    # when B lets go (its runtime stopped), A may take it at once
    services.program_engine_release(program_id=program.pk, node=B)
    assert services.program_engine_claim(program_id=program.pk, node=A)


@pytest.mark.django_db
def test_a_release_by_a_node_that_does_not_hold_the_lease_changes_nothing(holder, program) -> None:
    assert services.program_engine_claim(program_id=program.pk, node=A)

    services.program_engine_release(program_id=program.pk, node=B)

    program.refresh_from_db()
    assert program.engine_node == A


@pytest.mark.django_db
def test_a_program_that_is_not_running_cannot_be_claimed(program) -> None:
    assert not program.running
    assert not services.program_engine_claim(program_id=program.pk, node=A)
    assert not services.program_engine_claim(program_id=program.pk + 1000, node=A)


@pytest.mark.django_db
def test_a_cutaway_from_an_engine_without_the_lease_is_ignored(
    holder, program, make_source
) -> None:
    # given A's engine runs the program, and a source on air
    assert services.program_engine_claim(program_id=program.pk, node=A)
    source = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    seq = Program.objects.get(pk=program.pk).seq

    # when another engine, which does not have the source, reports it gone (and recovered)
    services.program_auto_cutaway(slug="main", seq=seq, reason="not connected", node=B)
    services.program_auto_cutback(slug="main", seq=seq, node=B)

    # then nothing changes: the source stays on air
    program.refresh_from_db()
    source.refresh_from_db()
    assert (program.mode, program.program_source_id, program.seq) == ("source", source.pk, seq)
    assert source.state == SourceState.ON_AIR
    assert not ProgramLogEntry.objects.filter(action="auto_cutaway").exists()

    # while the same report from the engine holding the lease is taken
    services.program_auto_cutaway(slug="main", seq=seq, reason="not connected", node=A)
    program.refresh_from_db()
    assert (program.mode, program.auto_cutaway_active) == ("slate", True)


# --- the engine: runs what it holds, stands by for the rest ---------------------------------------


class SharedLeases:
    """Two engines' reporter over one lease table (what the program rows do in the database)."""

    def __init__(self) -> None:
        self.holders: dict[int, str] = {}
        self.quiet: set[str] = set()  # nodes whose leases have lapsed

    async def running_states(self) -> list[dict[str, Any]]:
        return []

    async def claim(self, *, program_id: int, node: str) -> bool:
        holder = self.holders.get(program_id)
        if holder is None or holder == node or holder in self.quiet:
            self.holders[program_id] = node
            return True
        return False

    async def release(self, *, program_id: int, node: str) -> None:
        if self.holders.get(program_id) == node:
            del self.holders[program_id]

    async def auto_cutaway(self, **kwargs: Any) -> None: ...
    async def auto_cutback(self, **kwargs: Any) -> None: ...
    async def recording_finished(self, **kwargs: Any) -> None: ...


class FakeRuntime:
    """Stands in for the encoder-backed runtime: the engine's decisions are what is tested."""

    running: list[tuple[str, str]] = []

    def __init__(self, state: dict[str, Any], *, reporter: Any, root: Path, node: str) -> None:
        self.slug, self.state, self.node = state["slug"], state, node

    async def start(self) -> None:
        FakeRuntime.running.append((self.node, self.slug))

    async def stop(self) -> asyncio.Task[None]:
        FakeRuntime.running.remove((self.node, self.slug))
        return asyncio.ensure_future(asyncio.sleep(0))

    def update(self, state: dict[str, Any]) -> None:
        self.state = state

    def needs_restart(self, state: dict[str, Any]) -> bool:
        return False


def _state(seq: int, *, running: bool = True) -> dict[str, Any]:
    return {"slug": "main", "program_id": 1, "seq": seq, "running": running}


@pytest.fixture
def fake_runtimes(monkeypatch) -> list[tuple[str, str]]:
    FakeRuntime.running = []
    monkeypatch.setattr(engine_module, "ProgramRuntime", FakeRuntime)
    return FakeRuntime.running


def test_the_second_engine_stands_by_and_takes_over_when_the_first_stops(
    fake_runtimes, tmp_path
) -> None:
    leases = SharedLeases()
    first = ProgramEngine(reporter=leases, root=tmp_path, node=A)
    second = ProgramEngine(reporter=leases, root=tmp_path, node=B)

    async def scenario() -> list[list[tuple[str, str]]]:
        seen = []
        # both hear the studio start the program: one runs it, the other stands by
        await first.apply(_state(1))
        await second.apply(_state(1))
        seen.append(list(fake_runtimes))
        # later commands reach both; the one standing by still does not run it
        await first.apply(_state(2))
        await second.apply(_state(2))
        await second.renew_leases()
        seen.append(list(fake_runtimes))
        # the first process shuts down: the second takes the program at its next renewal
        await first.stop()
        await second.renew_leases()
        seen.append(list(fake_runtimes))
        await second.stop()
        return seen

    assert asyncio.run(scenario()) == [[(A, "main")], [(A, "main")], [(B, "main")]]
    assert leases.holders == {}


def test_an_engine_that_lost_its_lease_stops_its_runtime(fake_runtimes, tmp_path) -> None:
    leases = SharedLeases()
    first = ProgramEngine(reporter=leases, root=tmp_path, node=A)
    second = ProgramEngine(reporter=leases, root=tmp_path, node=B)

    async def scenario() -> list[list[tuple[str, str]]]:
        await first.apply(_state(1))
        await second.apply(_state(1))
        # the first stalled past its lease: the second takes over, the first gives up
        leases.quiet.add(A)
        await second.renew_leases()
        leases.quiet.clear()
        taken_over = list(fake_runtimes)
        await first.renew_leases()
        return [taken_over, list(fake_runtimes)]

    assert asyncio.run(scenario()) == [[(A, "main"), (B, "main")], [(B, "main")]]


def test_a_stopped_program_releases_its_lease(fake_runtimes, tmp_path) -> None:
    leases = SharedLeases()
    engine = ProgramEngine(reporter=leases, root=tmp_path, node=A)

    async def scenario() -> None:
        await engine.apply(_state(1))
        await engine.apply(_state(2, running=False))

    asyncio.run(scenario())
    assert (fake_runtimes, leases.holders) == ([], {})
