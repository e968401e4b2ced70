"""The engine's automatic cut-away and cut back (called through ingest/program/reporting.py,
off the media loop)."""

from __future__ import annotations

from django.db import transaction

from ingest.models import LiveSource, Program, ProgramAction, ProgramMode
from ingest.program import selectors
from ingest.program.services.common import (
    _bus_sources,
    _changed,
    _log,
    _on_program,
    _put_on_air,
    _take_off_air,
)


@transaction.atomic
def program_auto_cutaway(*, slug: str, seq: int, reason: str, node: str) -> None:
    """The on-air source stalled or dropped under the bitrate: slate (or standby) on program.

    Ignored unless the engine acted on the program's current state (`seq` equal): after any
    change the engine re-checks the source and reports again if it still stalls. Ignored too
    from an engine that does not hold the program's lease (it may not have the source at all)."""
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None or seq != program.seq or not program.running:
        return
    if program.engine_node != node:
        return
    old = _on_program(program)
    if old is None or program.auto_cutaway_active:
        return
    tally = _bus_sources(program)
    program.auto_cutaway_active = True
    program.cutaway_from = old
    standby = None
    if program.standby_source_id is not None and program.standby_source_id != old.pk:
        candidate = LiveSource.objects.select_for_update().get(pk=program.standby_source_id)
        if candidate.state in selectors.CUTTABLE_STATES and candidate.connected:
            standby = candidate
    if standby is not None:
        program.mode = ProgramMode.SOURCE
        program.program_source = standby
        tally.add(standby.pk)
    else:
        program.mode = ProgramMode.SLATE
        program.program_source = None
    _log(program, ProgramAction.AUTO_CUTAWAY, actor=None, source=old, detail=reason[:500])
    _take_off_air(program, old)
    if standby is not None:
        _put_on_air(program, standby, operator=None)
    _changed(
        program,
        fields=["auto_cutaway_active", "cutaway_from", "mode", "program_source"],
        tally_sources=tally,
    )


@transaction.atomic
def program_auto_cutback(*, slug: str, seq: int, node: str) -> None:
    """The source an automatic cut-away left recovered: back to it, if nothing changed since
    (and the report comes from the engine holding the program's lease)."""
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None or not program.auto_cutaway_active or seq != program.seq:
        return
    if program.engine_node != node:
        return
    if program.cutaway_from_id is None or not program.running:
        return
    source = (
        LiveSource.objects.select_for_update()
        .select_related("reporter")
        .get(pk=program.cutaway_from_id)
    )
    if source.state not in selectors.CUTTABLE_STATES:
        return
    standby = _on_program(program)
    tally = _bus_sources(program) | {source.pk}
    program.mode = ProgramMode.SOURCE
    program.program_source = source
    program.auto_cutaway_active = False
    program.cutaway_from = None
    _log(program, ProgramAction.AUTO_CUTBACK, actor=None, source=source)
    _take_off_air(program, standby)
    _put_on_air(program, source, operator=None)
    _changed(
        program,
        fields=["auto_cutaway_active", "cutaway_from", "mode", "program_source"],
        tally_sources=tally,
    )
